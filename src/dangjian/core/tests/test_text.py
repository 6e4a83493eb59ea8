from dangjian.core.text import normalise_query, search_key


def test_search_key_has_characters_pinyin_and_initials():
    key = search_key("张三丰")
    assert "张三丰" in key and "zhangsanfeng" in key and "zsf" in key


def test_traditional_query_finds_simplified():
    key = search_key("城东社区党建服务站")
    assert normalise_query("黨建") in key
    assert normalise_query("Dang Jian") in key


def test_simplified_characters_that_opencc_rewrites_are_still_found():
    key = search_key("沈思敏")
    assert normalise_query("沈") in key
    assert "shensimin" in key
    # The Traditional spelling a user may type reaches the same key.
    assert normalise_query("瀋思敏") in key


def test_digits_and_latin_letters_stand_in_pinyin_and_initials():
    key = search_key("第1网格")
    assert "di1wangge" in key and "d1wg" in key
    assert "1hl" in search_key("1号楼") and "adhds" in search_key("A栋活动室")
