"""Files a new office, or an attacker, may hand to `campaign validate`: each refused in Chinese with its line, in
well under a second, never a traceback."""

import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from zoufang.campaigns.config import validate_campaign_file, validate_config


def _laughs(levels: int = 9) -> str:
    """The “billion laughs”: nine aliases of nine aliases …, 9**9 values once expanded."""
    lines = ['lol0: &l0 ["哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈"]']
    lines += [f"lol{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def _validate_text(tmp_path: Path, text: str | bytes) -> list[str]:
    path = tmp_path / "campaign.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return validate_campaign_file(path)


def test_it_refuses_the_billion_laughs_at_once(jinxi_text: str, tmp_path: Path) -> None:
    started = time.monotonic()

    errors = _validate_text(tmp_path, jinxi_text + _laughs())

    assert time.monotonic() - started < 5
    assert len(errors) == 1
    assert "超过 50000 个值（锚点“&”和引用“*”层层引用会成倍展开）" in errors[0]


def test_it_refuses_laughs_built_from_merge_keys(jinxi_text: str, tmp_path: Path) -> None:
    merges = ["m0: &m0 {a: 1, b: 2, c: 3}"] + [
        f"m{i}: &m{i} {{<<: [{', '.join([f'*m{i - 1}'] * 9)}]}}" for i in range(1, 9)]

    errors = _validate_text(tmp_path, jinxi_text + "\n".join(merges) + "\n")

    assert len(errors) == 1
    assert "成倍展开" in errors[0]


def test_it_still_accepts_a_plain_anchor_and_alias(jinxi_text: str, tmp_path: Path) -> None:
    text = jinxi_text.replace("  town_leader:\n    per_person:\n", "  town_leader:\n    per_person: &leader\n", 1)
    assert text != jinxi_text

    assert _validate_text(tmp_path, text + "x_leader: *leader\n") == [
        f"第 {text.count(chr(10)) + 1} 行 x_leader：未知的键（允许的键：format_version、slug、name、source、goals、"
        "principles、scope、period、phases、target_kinds、roles、quotas、pace、registration_deadline_working_days、"
        "case_handling、case_categories、questionnaires、contact_card、visit_modes、visits、cadre_interviews、"
        "assessment、mechanisms、organisation、callbacks、integrity、full_coverage、summaries）"]


@pytest.mark.parametrize(("text", "message"), [
    ("goals: " + "[" * 3000 + "]" * 3000 + "\n", "YAML 语法错误：嵌套层数过多（最多 40 层）"),
    ("".join("  " * i + f"k{i}:\n" for i in range(60)), "第 42 行：嵌套层数过多（最多 40 层）"),
], ids=["brackets", "mappings"])
def test_it_refuses_nesting_too_deep(tmp_path: Path, text: str, message: str) -> None:
    assert _validate_text(tmp_path, text) == [message]


def test_it_names_the_line_of_a_control_character(jinxi_text: str, tmp_path: Path) -> None:
    text = jinxi_text.replace("slug: jinxi-2017", "slug: jinxi\x00-2017")
    line = text[:text.index("\x00")].count("\n") + 1

    assert _validate_text(tmp_path, text) == [f"第 {line} 行第 12 列：文件中有不可打印的控制字符（#x0000），请删除后再保存"]


@pytest.mark.parametrize(("encode", "guess"), [
    (lambda text: text.encode("gbk", errors="replace"), "像是 GBK（记事本的“ANSI”）编码"),
    (lambda text: ("\ufeff" + text).encode("utf-16-le"), "是 UTF-16（“Unicode”）编码"),
], ids=["gbk", "utf16"])
def test_it_names_the_encoding_of_a_file_that_is_not_utf8(jinxi_text: str, tmp_path: Path, encode, guess) -> None:
    errors = _validate_text(tmp_path, encode(jinxi_text))

    assert len(errors) == 1
    assert guess in errors[0]
    assert errors[0].endswith("请在编辑器中“另存为”UTF-8 编码后再加载")


def test_it_reads_a_file_saved_with_a_bom_and_windows_line_ends(jinxi_text: str, tmp_path: Path) -> None:
    assert _validate_text(tmp_path, ("\ufeff" + jinxi_text.replace("\n", "\r\n")).encode("utf-8")) == []


def test_it_refuses_a_file_far_too_large_to_be_a_campaign(tmp_path: Path) -> None:
    errors = _validate_text(tmp_path, "goals: " + "访" * (1024 * 1024) + "\n")

    assert len(errors) == 1
    assert "超过 2 MB，不是一个走访活动的配置文件" in errors[0]


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "1.0e+999"])
def test_it_refuses_a_share_that_is_no_number(jinxi_text: str, tmp_path: Path, value: str) -> None:
    text = jinxi_text.replace("monthly_min_share: 1/5", f"monthly_min_share: {value}")
    line = text[:text.index("monthly_min_share")].count("\n") + 1

    errors = _validate_text(tmp_path, text)

    assert len(errors) == 1
    assert errors[0].startswith(f"第 {line} 行 pace.monthly_min_share：“")
    assert errors[0].endswith("”不是有效的数字")


def test_it_refuses_non_finite_numbers_in_a_dict_too(jinxi) -> None:
    jinxi["integrity"] = {"copied_text": {"similarity": float("nan")}}

    assert validate_config(jinxi) == ["integrity.copied_text.similarity：“nan”不是有效的数字"]


@pytest.mark.parametrize(("change", "message"), [
    (("slug: jinxi-2017", "slug: jinxi-2017\n---\nslug: other"), "YAML 语法错误：文件只能包含一个 YAML 文档（不要使用 ---）"),
    (("slug: jinxi-2017", "slug: jinxi-2017\n? [a, b]\n: 2"), "YAML 语法错误：键不能是列表或映射"),
    (("slug: jinxi-2017", "slug: jinxi-2017\n~: 2"), "~：未知的键"),
    (("slug: jinxi-2017", "slug: !!set {a, b}"), "slug：类型错误：应为文本，实际是不支持的值（集合）"),
    (("slug: jinxi-2017", "slug: !!binary aGVsbG8="), "slug：类型错误：应为文本，实际是不支持的值（二进制数据）"),
    (("slug: jinxi-2017", "slug: !!timestamp 2017-05-01 08:30:00"), "slug：类型错误：应为文本，实际是不支持的值（日期时间）"),
    (("slug: jinxi-2017", "slug: !!python/object/apply:os.system [echo]"), "YAML 语法错误：不支持的 YAML 标签"),
], ids=["two_documents", "list_as_key", "null_key", "set_tag", "binary_tag", "timestamp_tag", "python_tag"])
def test_it_says_in_chinese_what_yaml_would_say_in_english(jinxi_text: str, tmp_path: Path, change, message) -> None:
    errors = _validate_text(tmp_path, jinxi_text.replace(*change, 1))

    assert len(errors) == 1
    assert message in errors[0], errors


def test_the_command_refuses_the_billion_laughs_without_a_traceback(jinxi_text: str, tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(jinxi_text + _laughs(), encoding="utf-8")
    stderr = StringIO()

    with pytest.raises(CommandError, match="配置文件无效"):
        call_command("campaign", "load", str(path), stderr=stderr)

    assert "成倍展开" in stderr.getvalue()
