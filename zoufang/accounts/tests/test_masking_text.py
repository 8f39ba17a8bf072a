"""Free text as residents and cadres write it: a personal number in any supported form never survives whole, and
ordinary sentences (dates, amounts, counts, document and case numbers) come out as they went in."""

import datetime as dt
import unicodedata
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from zoufang.accounts.masking import has_personal_number, scrub

ORDINARY = [
    "经统计，全镇户籍居民13815户，非户籍常住户3017户，企业1260家。",
    "按照《2017年度常态化推进“六个一”基层走访调研工作方案》的通知（昆办发〔2017〕19号）精神执行。",
    "苏州市妇联走访户籍居民1360户和企业53家。",
    "剩余户籍居民2575户、非户籍常住户3017户、企业1106家由我镇党政班子领导走访。",
    "每人全年走访户籍居民5户、非户籍常住户8-9户、企业2-3家。",
    "9月底前完成全部走访，10月份开始总结并考核。",
    "依托市便民服务中心“12345”热线平台，走访后2个工作日内反馈。",
    "2017年6月15日上午走访上下塘社区18号，户主反映路灯坏了。",
    "二〇一七年六月十五日，镇党委召开会商会。",
    "二○一七年度“六个一”走访调研工作总结。",
    "集中走访时间为2017.3.1-2017.4.30，请各村按时完成。",
    "走访时间：2017.06.15-06.20，回访时间：2017.6.21-28。",
    "2016—2017年度考核结果已通报，2017-2018学年困难学生补助已发放。",
    "2017一2018年度民生实事项目已立项。",
    "二〇一七—二〇一八年度民生实事项目已立项。",
    "汛期为2017.06-2017.09，重点时段2017.07-08。",
    "补助金额一万二千元，已于6月到账。",
    "全村三十户参加了座谈，第三组到会最齐。",
    "损失约123456.78元，保险公司已定损；另有维修费2350.5元。",
    "按照苏政发(2017)123号文件，补助标准每亩600元。",
    "根据昆政办发〔2017〕45号文件和锦委（2017）1029号通知精神，落实补贴。",
    "问题 3F2A91B0 与问题 20481937 反映的是同一盏路灯。",
    "2017-05-28 22:40 提交，20170528 09:05:11 同步，会议定于2017/6/20 14:30召开。",
    "干家甸社区户籍总户数417户，走访户数60户。",
    "门牌5号至12号之间的道路积水，约300平方米。",
    "一五一十地讲清楚了补助政策，群众三三两两地散去。",
    "乱七八糟的杂物堆在楼道里，七七八八清理了一半。",
    "每月一会商、每季一通报、半年一交流、全年一考核。",
    "第一批、第二批、第三批回访抽查分别在3月、6月、9月进行。",
    "1．收集群众对教育、医疗、养老的意见建议；2．收集困难群众的意见。",
    "2017年度第2期简报共印发120份。",
    "户主今年82岁，家中3口人，年收入约36000元。",
    "贷款利率4.35%，期限3年，月供2680元。",
    "厂房面积12000平方米，员工350人，年产值1.2亿元。",
    "二〇一六年至二〇一七年，村集体收入增长12.5%。",
    "建筑年代为1990-2000年间，共6栋楼，每栋6层。",
    "五、六、七三个月为防汛重点期，每天8:00-17:30有人值班。",
    "2017年9月30日前完成，考核按20170930-v2版执行。",
    "道路维修长度1.5公里，宽6米，投入资金45.6万元。",
    "一户一档，一企一策，件件有落实，做到一户不漏、一企不落。",
    "企业统一社会信用代码91320583MA1MXXXX0X，法人代表已到场。",
    "邮编215324，镇政府三楼会议室。",
]


def test_ordinary_sentences_come_out_unchanged():
    for sentence in ORDINARY:
        assert scrub(sentence) == sentence
        assert not has_personal_number(sentence), sentence


def test_the_numbers_the_product_gives_cases_survive():
    """Case.number is the first 8 hex digits of a UUID, upper case; about one in forty is all digits."""
    for _ in range(500):
        number = uuid.uuid4().hex[:8].upper()
        for text in (f"与问题 {number} 合并", f"同问题{number}，已答复"):
            assert scrub(text) == text


# Each digit in every form the masker reads: ASCII, full-width, mathematical, circled, parenthesised, with a full
# stop, super- and subscript, dingbat, keycap emoji, Chinese numerals as written and as said.
FORMS = {
    digit: [str(digit), chr(0xFF10 + digit), chr(0x1D7CE + digit), chr(0x1D7D8 + digit), chr(0x1D7F6 + digit),
            "⓪①②③④⑤⑥⑦⑧⑨"[digit], "⓪⑴⑵⑶⑷⑸⑹⑺⑻⑼"[digit], "🄀⒈⒉⒊⒋⒌⒍⒎⒏⒐"[digit], "⁰¹²³⁴⁵⁶⁷⁸⁹"[digit],
            "₀₁₂₃₄₅₆₇₈₉"[digit], "⓿❶❷❸❹❺❻❼❽❾"[digit], f"{digit}\ufe0f\u20e3", "〇一二三四五六七八九"[digit],
            "零幺两三四五六七八九"[digit], "○壹贰叁肆伍陆柒捌玖"[digit]]
    for digit in range(10)
}
SEPARATORS = ["", "", "", " ", "-", "—", "……", "\n", "\r\n\r\n", " - - - ", "\u200b", "·", "／", "（", "😀", "\u3000"]
# Sentences from the seeds' vocabulary, without a digit or a letter that could join the number.
WORDS = ["走访", "户主反映", "路灯坏了", "请回电", "联系人", "电话", "身份证", "社区", "村民小组", "企业", "，", "。",
         "：", "、", "“", "”", "意见建议", "困难群众", "党员中心户", "镇信访办", "联系方式"]
EVERY_DIGIT = tuple(range(1, 18))
# Numbers with the ways people group their digits: as one, 3-4-4, 3-8, 4-4-3, 4-4, 4-8, 6-8-4, 6-4-4-4, 4-4-4-4-2,
# or every digit apart.
MOBILES = st.tuples(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
                    st.sampled_from([(), (3, 7), (3,), (4, 8), EVERY_DIGIT]))
LOCAL_LANDLINES = st.tuples(st.from_regex(r"[5-8][0-9]{7}", fullmatch=True), st.sampled_from([(), (4,), EVERY_DIGIT]))
LANDLINES = st.tuples(st.from_regex(r"0512[5-8][0-9]{7}", fullmatch=True),
                      st.sampled_from([(), (4,), (4, 8), EVERY_DIGIT]))
IDS = st.tuples(
    st.builds(lambda area, born, seq, check: f"{area}{born:%Y%m%d}{seq:03d}{check}",
              st.sampled_from(["320583", "320582", "110105", "510104"]),
              st.dates(dt.date(1920, 1, 1), dt.date(2017, 12, 31)), st.integers(0, 999),
              st.sampled_from("0123456789Xx×Ｘ")),
    st.sampled_from([(), (6, 14), (6, 10, 14), (4, 8, 12, 16), (6,), EVERY_DIGIT]))


def _rendered(number: str, cuts: tuple[int, ...], data: st.DataObject) -> str:
    separator = data.draw(st.sampled_from(SEPARATORS))
    out = []
    for position, character in enumerate(number):
        if position in cuts:
            out.append(separator)
        out.append(data.draw(st.sampled_from(FORMS[int(character)])) if character.isdigit() else character)
    return "".join(out)


CHINESE_DIGITS = str.maketrans({ch: str(digit) for digit, chars in enumerate(
    ["〇○零", "一幺壹", "二两贰", "三叁", "四肆", "五伍", "六陆", "七柒", "八捌", "九玖"]) for ch in chars})


def _recoverable(text: str) -> list[str]:
    """The digit runs a reader can still put together: NFKC, Chinese numerals read as digits, separators dropped."""
    text = unicodedata.normalize("NFKC", text).translate(CHINESE_DIGITS)
    return [run for run in "".join(ch if ch.isdigit() or ch == "*" else "" for ch in text).split("*") if run]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(number=st.one_of(MOBILES, LOCAL_LANDLINES, LANDLINES, IDS), before=st.lists(st.sampled_from(WORDS), max_size=4),
       after=st.lists(st.sampled_from(WORDS), max_size=4), data=st.data())
def test_a_personal_number_in_any_form_never_survives_whole(number, before, after, data):
    number, cuts = number
    shown = scrub("".join(before) + _rendered(number, cuts, data) + "".join(after))
    digits = "".join(ch for ch in number if ch.isdigit())
    for run in _recoverable(shown):
        for start in range(len(digits) - 6):
            assert digits[start:start + 7] not in run, (shown, number)
