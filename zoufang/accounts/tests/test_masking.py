"""The one masking function: numbers in any spacing and script, names wherever they recur, by role and field."""

import unicodedata

import pytest

from zoufang.accounts.masking import Kind, Masker, has_personal_number, mask, numbers_in, scrub


@pytest.mark.parametrize(("typed", "shown"), [
    ("身份证320583198102155476", "身份证320583********5476"),
    ("老身份证 320583810215547 还在用", "老身份证 320583*****5547 还在用"),
    ("证号32058319810215547x", "证号320583********547x"),
    ("手机13868841290，请回电", "手机138****1290，请回电"),
    ("座机051257223456", "座机051*****3456"),
    # Separators and spacing are dropped with the digits they hid.
    ("电话0512-57223456", "电话051*****3456"),
    ("电话 138 6884 1290", "电话 138****1290"),
    ("电话138-6884-1290", "电话138****1290"),
    ("电话138.6884.1290", "电话138****1290"),
    ("电话138 — 6884 — 1290", "电话138****1290"),
    ("电话１３８６８８４１２９０", "电话138****1290"),
    ("电话１３８－６８８４－１２９０", "电话138****1290"),
    ("电话1３8 6884-1290", "电话138****1290"),
    ("电话：（0512）5722 3456", "电话：（051*****3456"),
    ("电话+86 138 6884 1290。", "电话+861******1290。"),
    ("本地电话5722 3456", "本地电话57****56"),
    ("身份证 3205 8319 8102 1554 76", "身份证 320583********5476"),
    ("身份证３２０５８３１９８１０２１５５４７６", "身份证320583********5476"),
    ("身份证 320583 19810215 547 X", "身份证 320583********547X"),
    ("银行卡6222 0212 3456 7890 123", "银行卡622************0123"),
    ("住第3组 18号，电话13868841290，身份证320583198102155476",
     "住第3组 18号，电话138****1290，身份证320583********5476"),
    # Ordinary numbers stay: house numbers, dates, money, a company's public credit code.
    ("门牌12号，2017年6月13日，损失3000元", "门牌12号，2017年6月13日，损失3000元"),
    ("2017-06-15 开会，2017.6.15 复查，20170615 归档", "2017-06-15 开会，2017.6.15 复查，20170615 归档"),
    # A date with a time: the hour before the colon is not a landline's last digits.
    ("2017-05-28 22:40 提交，20170528 09:05:11 同步", "2017-05-28 22:40 提交，20170528 09:05:11 同步"),
    ("电话 5712 3456：已联系", "电话 57****56：已联系"),
    ("信用代码91320583MA1MXXXX0X不是身份证", "信用代码91320583MA1MXXXX0X不是身份证"),
    ("信用代码91110000600037341L", "信用代码91110000600037341L"),
])
def test_it_masks_every_personal_number_however_it_is_typed(typed, shown):
    assert scrub(typed) == shown


@pytest.mark.parametrize(("typed", "shown"), [
    # Separator runs of any length, line breaks and ellipses between the groups.
    ("电话138 - - - 6884 1290", "电话138****1290"),
    ("电话138……6884……1290", "电话138****1290"),
    ("电话138⋯⋯6884⋯⋯1290", "电话138****1290"),
    ("电话：\r\n138\r\n\r\n6884\n\n\n\n1290", "电话：\r\n138****1290"),
    ("身份证 320583 —— —— 19810215 —— —— 5476", "身份证 320583********5476"),
    # Digits in the other Unicode forms: circled, parenthesised, with a full stop, mathematical, super- and subscript.
    ("电话①③⑧⑥⑧⑧④①②⑨⓪", "电话138****1290"),
    ("电话⑴⑶⑻⑹⑻⑻⑷⑴⑵⑼⓪", "电话138****1290"),
    ("电话⒈⒊⒏⒍⒏⒏⒋⒈⒉⒐🄀", "电话138****1290"),
    ("电话❶❸❽❻❽❽❹❶❷❾⓿，➀➂➇➅➇➇➃➀➁➈", "电话138****1290，13******29"),
    ("电话𝟏𝟑𝟖𝟔𝟖𝟖𝟒𝟏𝟐𝟗𝟎", "电话138****1290"),
    ("电话¹³⁸⁶⁸⁸⁴¹²⁹⁰", "电话138****1290"),
    ("电话₁₃₈₆₈₈₄₁₂₉₀", "电话138****1290"),
    ("电话1️⃣3️⃣8️⃣6️⃣8️⃣8️⃣4️⃣1️⃣2️⃣9️⃣0️⃣。", "电话138****1290。"),
    # Chinese numerals, one character a digit, as a number is read out; mixed with Arabic digits they count together.
    ("电话一三八六八八四一二九〇", "电话138****1290"),
    ("电话幺三八六八八四幺两九零", "电话138****1290"),
    ("电话壹叁捌陆捌捌肆壹贰玖零", "电话138****1290"),
    ("电话138一二三四5678", "电话138****5678"),
    ("电话一三八 六八八四 一二九〇", "电话138****1290"),
    ("座机五七二二三四五六", "座机57****56"),
    ("身份证三二〇五八三一九八一〇二一五五四七六", "身份证320583********5476"),
    # An ID's check character however it is typed.
    ("身份证32058319810215547×", "身份证320583********547X"),
    ("身份证32058319810215547 Ｘ", "身份证320583********547X"),
    ("身份证三二〇五八三一九八一〇二一五五四七x", "身份证320583********547x"),
    # Emoji between the groups read as decoration; a word between them ends the number (转 is an extension).
    ("电话138😀6884🌹1290", "电话138****1290"),
    ("电话0512-57223456转8001", "电话051*****3456转8001"),
])
def test_it_masks_the_numbers_people_really_write(typed, shown):
    assert scrub(typed) == shown


def test_it_masks_every_unicode_digit_form():
    forms = [chr(code) for code in range(0x20000) if unicodedata.digit(chr(code), None) is not None]
    assert len(forms) > 700
    for form in forms:
        assert has_personal_number(f"电话{form * 11}。"), f"U+{ord(form):04X}"


def test_it_masks_the_raisers_name_and_address_wherever_they_recur():
    text = "周梅反映：周梅家（锦溪镇上下塘社区18号）门口路灯坏了，周梅电话13868841290"
    assert scrub(text, names=["周梅"], addresses=["锦溪镇上下塘社区18号"]) == (
        "周*反映：周*家（（地址已隐去））门口路灯坏了，周*电话138****1290")
    assert scrub("张三", names=["", "张"]) == "张三"  # one character is no name to hunt for


def test_it_masks_by_the_kind_of_field():
    assert mask(Kind.ID_NUMBER, "320583198102155476") == "320583********5476"
    assert mask(Kind.PHONE, "13868841290") == "138****1290"
    assert mask(Kind.NAME, "周建华") == "周**"
    assert mask(Kind.FREE_TEXT, "周建华 13868841290", names=["周建华"]) == "周** 138****1290"


@pytest.mark.django_db
def test_it_masks_free_text_for_a_masked_role_but_not_for_the_area_office(town):
    target = town.households["shangxiatang"][0]
    text = "电话 138 6884 1290"
    assert Masker(town.users["office"]).text(text, target) == text
    assert Masker(town.users["village"]).text(text, target) == text
    for role in ("leader", "auditor", "dept", "outsider"):
        assert Masker(town.users[role]).text(text, target) == "电话 138****1290", role
    answers = {"phone": "13868841290", "rows": [{"note": "身份证320583198102155476"}], "count": 3,
               "number": 13868841290}
    assert Masker(town.users["leader"]).data(answers, target) == {
        "phone": "138****1290", "rows": [{"note": "身份证320583********5476"}], "count": 3,
        "number": "138****1290"}


@pytest.mark.parametrize("invisible", [
    "\u200b",  # zero-width space: pasted from a chat app, or typed to slip past the mask
    "\u200c", "\u200d",  # zero-width non-joiner, joiner
    "\u2060",  # word joiner
    "\ufeff",  # zero-width no-break space (a BOM mid-text)
    "\u00ad",  # soft hyphen
    "\u200e", "\u202e", "\u2066",  # direction marks, overrides and isolates
])
def test_it_masks_a_number_split_by_characters_that_show_nothing(invisible):
    """On the page these read as 13868841290 and 320583198102155476: the digits run on, so they are masked."""
    phone = invisible.join(["138", "6884", "1290"])
    id_number = invisible.join(["320583", "19810215", "5476"])
    assert scrub(f"电话{phone}，身份证{id_number}") == "电话138****1290，身份证320583********5476"
    assert scrub(f"我是周{invisible}梅", names=["周梅"]) == "我是周*"  # a name split by one is the name
    assert not has_personal_number(f"路灯{invisible}坏了")  # an invisible character alone is no number


@pytest.mark.parametrize(("text", "numbers"), [
    ("电话 +86 138-1234-0001", {"8613812340001", "13812340001"}),
    ("座机（0512）5723 1234", {"051257231234"}),
    ("座机 +86 512 5723 1234", {"8651257231234", "051257231234"}),
    ("电话１３８１２３４０００１", {"13812340001"}),
    ("身份证 3205 8319 8102 1554 7x", {"32058319810215547X"}),
    ("2017-06-15 走访，补贴 123456.78 元", set()),
])
def test_numbers_in_reads_each_personal_number_as_it_is_stored(text, numbers):
    assert numbers_in(text) == numbers
