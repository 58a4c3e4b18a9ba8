import pytest

from carebridge.core.languages import language_label, language_name


@pytest.mark.parametrize(
    ("tag", "name"),
    [
        ("es", "Spanish"),
        ("zh", "Chinese"),
        ("ht", "Haitian Creole"),
        ("pt-BR", "Portuguese (Brazil)"),
        ("zh-Hant-TW", "Chinese (Traditional, Taiwan)"),
        ("qqq", "qqq"),
        ("", ""),
    ],
)
def test_a_tag_reads_as_its_language(tag, name):
    assert language_name(tag) == name


def test_the_label_keeps_the_tag_beside_the_name():
    assert language_label("vi") == "Vietnamese · vi"
    assert language_label("qqq") == "qqq"
