"""A name's separator dot written one way (decision 0069): which dots are read as U+00B7 and which are kept."""

import pytest

from zoufang.core.names import canonical_dots, dotted
from zoufang.core.tabular import person_name

DOTS = ["·", "•", "・", "‧", "∙", "⋅", "．", ".", "。", "･", "﹒", "·"]


@pytest.mark.parametrize("dot", DOTS)
def test_every_dot_between_two_chinese_characters_is_the_standards(dot):
    assert canonical_dots(f"阿卜杜{dot}热合曼") == "阿卜杜·热合曼"
    assert person_name(f" 阿卜杜 {dot} 热合曼 ") == "阿卜杜·热合曼"
    assert dotted(f"阿卜杜{dot}热合曼") == (dot != "·")


def test_several_parts_and_a_doubled_dot_are_one_separator_each():
    assert canonical_dots("买买提•艾力••托合提") == "买买提·艾力·托合提"
    assert canonical_dots("扎西．顿珠") == "扎西·顿珠"


@pytest.mark.parametrize("name", ["A.热合曼", "热合曼.A", "张三.", ".张三", "John A. Smith", "A. Smith", "王文", "3.5"])
def test_a_dot_not_between_two_chinese_characters_is_kept(name):
    assert canonical_dots(name) == name
    assert not dotted(name)


def test_a_space_is_not_read_as_a_separator():
    """Offices pad two-character names (“王  文”): whitespace leaves a Chinese name, as before (0067)."""
    assert person_name("阿卜杜 热合曼") == "阿卜杜热合曼"
    assert person_name("王  文") == "王文"
