"""Text normalisation for triage: Russian and English stems, scripts, sub-words."""

from helpline.dispatch.triage.text import analyse, fix_script, stem, stems, subwords, tokens


def test_russian_inflections_share_one_stem():
    assert {stem(word) for word in ("принтер", "принтеры", "принтера", "принтером")} == {"принтер"}


def test_english_plurals_and_tenses_share_one_stem():
    assert stem("printers") == stem("printer") == "printer"
    assert stem("printing") == stem("printed") == "print"


def test_tokens_are_lower_case_with_yo_folded_into_ye():
    assert tokens("Ещё ОШИБКА 809: VPN-клиент!") == ["еще", "ошибка", "809", "vpn", "клиент"]


def test_stop_words_are_left_out_of_stems():
    assert stems("Не работает принтер и сканер, пожалуйста помогите") == [
        "работа",
        "принтер",
        "сканер",
        "помог",
    ]


def test_latin_look_alikes_in_a_russian_word_are_read_as_cyrillic():
    # "пpинтеp" typed with Latin "p" letters
    assert fix_script("пpинтеp") == "принтер"
    assert stem("пpинтеpы") == stem("принтеры")


def test_transliterated_russian_shares_sub_words_with_cyrillic():
    cyrillic, latin = set(subwords("печатает")), set(subwords("pechataet"))
    assert cyrillic == latin


def test_a_typo_keeps_most_sub_words():
    right, typo = set(subwords("printer")), set(subwords("pritner"))
    assert len(right & typo) >= 4


def test_analyse_gives_stems_bigrams_and_sub_words():
    words, sub = analyse("Принтер не печатает")
    assert words == ["принтер", "печата", "принтер печата"]
    assert " pr" in sub and "chat" in sub
    assert all(gram.isascii() for gram in sub)  # transliterated: one script for both
