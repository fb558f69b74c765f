"""Issue 22 (twentieth breaker): audit --token-class held two rules. `the,zzzz` accepted zzzz silently while `zzzz`
alone was refused (now: every word outside the model's vocabulary is refused, by name, list or not), and `.` was read
as the current folder with no way to pass the word '.' (now: the folder refusal names both readings, and '.,' is the
word '.')."""
import pytest
from tiny import CORPUS, tiny

from faithlens.audit.report import audit, check_classes_occur
from faithlens.cli import main
from faithlens.commands.audit import _words
from faithlens.errors import FaithlensError


@pytest.fixture
def no_explaining(monkeypatch):
    import faithlens.audit.report as report

    monkeypatch.setattr(report, "explain_runs", lambda *a, **k: pytest.fail("explaining started"))


@pytest.mark.parametrize("words, unknown", [({"zzzz"}, "'zzzz' is not a whole token"),
                                            ({"the", "zzzz"}, "'zzzz' is not a whole token"),
                                            ({"film", "qqqq", "zzzz"}, "'qqqq', 'zzzz' are not whole tokens")])
def test_every_word_outside_the_vocabulary_is_refused_alone_or_in_a_list(no_explaining, words, unknown):
    with pytest.raises(FaithlensError) as info:
        audit(tiny("bert"), CORPUS[:3], classes=[frozenset(words)], progress=False)
    message = str(info.value)
    assert unknown in message and "of the model's vocabulary" in message, message
    known = sorted(words - {"qqqq", "zzzz"})
    if known:  # the fix keeps the known words
        assert f"--token-class {','.join(known)}." in message, message


def test_known_words_absent_from_the_texts_are_still_refused_as_a_class(no_explaining):
    with pytest.raises(FaithlensError, match=r"matches no token of the 1 texts") as info:
        audit(tiny("bert"), CORPUS[:1], classes=[frozenset({"movie", "acting"})], progress=False)
    assert "vocabulary" not in str(info.value)


def test_a_list_of_known_words_some_absent_from_the_texts_passes():
    model = tiny("bert")
    check_classes_occur(model, CORPUS[:1], [frozenset({"the", "movie"})])  # 'movie' is a word, only not in text 0


def test_a_folder_value_names_both_readings_and_the_suggested_word_form_works(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    gone = str(tmp_path / "no-model")
    assert main(["audit", "--model", gone, "--token-class", "."]) == 2  # refused before loading the model
    err = capsys.readouterr().err
    assert "--token-class '.' is a folder" in err and "To test the word '.'" in err and "--token-class '.,'" in err, err
    assert _words(".,") == ["."]  # the suggested fix reads the word '.'
    assert _words("..,the") == ["..", "the"]
    assert _words("/,") == ["/"]  # a word with a slash, made a word list by its comma, is no missing file
    (tmp_path / "sub").mkdir()
    assert main(["audit", "--model", gone, "--token-class", str(tmp_path / "sub")]) == 2
    err = capsys.readouterr().err
    assert "is a folder" in err and "To test the word" not in err and "Name the file" in err, err
    assert main(["audit", "--model", gone, "--token-class", "words/nofile.txt"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_the_word_dot_passes_the_class_check_once_read():
    model = tiny("bert")
    if "." not in model.tokenizer.get_vocab():
        pytest.skip("the tiny tokenizer has no '.'")
    check_classes_occur(model, ["a good film."], [frozenset(_words(".,"))])
