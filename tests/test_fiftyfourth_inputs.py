"""Bad input found by the fifty-fourth breaker (issue 22): each a clear refusal naming what is wrong and how to fix
it, or a result equal to the well-formed call's."""

from __future__ import annotations

import pytest

from faithlens.errors import FaithlensError


def test_label_names_in_another_order_than_the_base_name_the_first_class_that_moves():
    from faithlens.gold_labels import check_base_reading

    with pytest.raises(FaithlensError, match=r"read in sorted order \('negative', 'neutral', 'positive'\), class 1 would "
                                             r"be 'neutral', which the base calls class 2\. Pass --labels in the base's "
                                             r"order \(negative positive neutral\)"):
        check_base_reading(("negative", "positive", "neutral"), spellings={}, names=("negative", "neutral", "positive"),
                           source="ptrain.tsv", base="bert_nli")
    with pytest.raises(FaithlensError, match=r"class 0 would be 'positive', which the base calls class 1"):
        check_base_reading(("negative", "positive"), spellings={}, names=("positive", "negative"), source="--labels",
                           base="b")
    check_base_reading(("negative", "positive", "neutral"), spellings={}, names=("negative", "positive", "neutral"),
                       source="--labels", base="bert_nli")  # the base's own order
