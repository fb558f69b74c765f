"""Issue 22 (twenty-second breaker F4, F5): the audit report's plot links parse as links for a file name with a space
or a non-ASCII letter (percent-encoded destinations), a --token-class words file saved with a UTF-8 BOM reads its first
word without the BOM, and a special token ([UNK], [CLS]...) in a token class is refused as special, not as a word
outside the vocabulary."""
import markdown_it
import pytest
from tiny import CORPUS, tiny

from faithlens.audit.report import AuditReport, audit, check_classes_occur
from faithlens.commands.audit import _words
from faithlens.errors import FaithlensError


def _report() -> AuditReport:
    row = {"kind": "output", "stop_words": {"share": 0.1, "top": 0.0}, "first_token": {"share": 0.1, "top": 0.0},
           "seconds": 0.1}
    return AuditReport(model="m", n=1, score="logit", methods={"occlusion": row}, verdict="v", level="ok", findings=[],
                       examples=[])


@pytest.mark.parametrize("name", ["au ü_shares.png", "a (b)_shares.png", "plain_shares.png", "x<y>_shares.png"])
def test_the_plot_links_render_as_images_whatever_the_file_name(name):
    page = markdown_it.MarkdownIt().render(_report().to_markdown([name]))
    assert page.count("<img ") == 1, page
    assert "![" not in page, page  # not left as literal text
    from urllib.parse import unquote
    import re

    src = re.search(r'<img src="([^"]+)"', page).group(1)
    assert unquote(src.replace("&lt;", "<").replace("&gt;", ">")) == name, src


def test_a_words_file_with_a_bom_reads_its_first_word(tmp_path):
    path = tmp_path / "words.txt"
    path.write_bytes(b"\xef\xbb\xbffilm\r\nthe\r\n")
    assert _words(str(path)) == ["film", "the"]


@pytest.mark.parametrize("words, named", [({"[unk]"}, "'[UNK]' is a special token"),
                                          ({"[cls]", "the"}, "'[CLS]' is a special token"),
                                          ({"[sep]", "[pad]", "the"}, "'[PAD]', '[SEP]' are special tokens")])
def test_a_special_token_is_refused_as_special(words, named):
    model = tiny("bert")
    with pytest.raises(FaithlensError) as info:
        check_classes_occur(model, CORPUS[:3], [frozenset(words)])
    message = str(info.value)
    assert named in message and "not a whole token" not in message, message
    assert "get no score" in message, message
    rest = sorted(w for w in words if not w.startswith("["))
    assert (f"--token-class {','.join(rest)}." if rest else "Pass words that occur") in message, message


def test_a_special_token_is_refused_before_any_explaining(monkeypatch):
    import faithlens.audit.report as report

    monkeypatch.setattr(report, "explain_runs", lambda *a, **k: pytest.fail("explaining started"))
    with pytest.raises(FaithlensError, match=r"'\[UNK\]' is a special token"):
        audit(tiny("bert"), CORPUS[:3], classes=[frozenset({"[UNK]".lower()})], progress=False)
