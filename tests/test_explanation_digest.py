"""Explanation JSON schema 6 carries "digest", the SHA-256 of the rest of the record: from_json knows exactly
whether a file was edited since to_json wrote it, and says so (a warning, kept in the explanation's warnings),
beside the agreement checks that refuse impossible values."""

import hashlib
import json

import pytest

from faithlens import Explainer, Explanation
from faithlens.errors import FaithlensWarning
from faithlens.explanation import SCHEMA_VERSION, content_digest


@pytest.fixture(scope="module")
def written(saved_tiny):
    return Explainer(str(saved_tiny)).explain("a dull, tired film", "occlusion").to_json()


def test_the_digest_is_the_sha256_of_the_rest_of_the_record(written):
    d = json.loads(written)
    assert d["schema"] == SCHEMA_VERSION == 6
    body = {k: v for k, v in d.items() if k != "digest"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert d["digest"] == hashlib.sha256(text.encode()).hexdigest() == content_digest(d)


def test_an_unedited_file_loads_without_a_word(written, recwarn):
    e = Explanation.from_json(written)
    assert e.to_json() == written and not [w for w in recwarn if w.category is FaithlensWarning]


@pytest.mark.parametrize("edit", ["seconds", "warning", "no digest", "digest not text", "old schema"])
def test_an_edit_that_keeps_every_field_in_agreement_is_still_named(written, edit):
    d = json.loads(written)
    if edit == "seconds":
        d["seconds"] = d["seconds"] + 1.0  # still a time
    elif edit == "warning":
        d["warnings"] = ["nothing to see"]
    elif edit == "no digest":
        del d["digest"]
    elif edit == "digest not text":
        d["digest"] = 5
    else:
        d["schema"] = 5  # a version rewritten by hand: the digest no longer matches
    with pytest.warns(FaithlensWarning, match="edited after Explanation.to_json wrote it") as caught:
        e = Explanation.from_dict(d)
    assert str(caught[0].message) in e.warnings  # the views and a re-saved file keep saying it
    again = Explanation.from_json(e.to_json())  # re-saved: a new record, its digest its own, the warning kept
    assert str(caught[0].message) in again.warnings


def test_a_file_written_before_digests_says_an_edit_cannot_be_told(written):
    d = json.loads(written)
    del d["digest"]
    d["schema"] = 5  # as an older faithlens wrote it, or a schema-6 file relabelled with its digest dropped
    with pytest.warns(FaithlensWarning, match="has schema 5, written before faithlens recorded a digest") as caught:
        e = Explanation.from_dict(d)
    assert str(caught[0].message) in e.warnings
