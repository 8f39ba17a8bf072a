"""The words the phone's visit form (static/visits/visits.js) shows, through gettext like every page's: the script
builds the form from data and holds no text of its own. Sent with the form's data (`DATA.texts`); a text with a
value to put in carries a named placeholder (`%(name)s`), filled by the script's `fmt`."""

from django.utils.translation import gettext as _

from zoufang.cases.models import Case


def form_texts() -> dict[str, object]:
    """Evaluated per request, in the request's language."""
    return {
        "kinds": [[Case.Kind.PROBLEM.value, str(Case.Kind.PROBLEM.label)],
                  [Case.Kind.SUGGESTION.value, str(Case.Kind.SUGGESTION.label)]],
        "add_row": _("添加一行"), "drop_row": _("删除此行"), "required": _("必填"), "constraint": _("不符合填写要求"),
        "opinion_placeholder": _("群众反映的问题或意见建议"), "category": _("（类别）"),
        "opinion_kind": _("问题或意见建议"), "opinion_category": _("类别"), "drop": _("删除"),
        "on_spot": _("当场解决"), "back": _("返回列表"), "record_title": _("记录走访：%(name)s"),
        "co_placeholder": _("如：张三、李四"), "summary_placeholder": _("走访情况、了解到的主要内容"),
        "locate": _("获取位置（可选）"), "no_geolocation": _("本机不支持定位，不影响提交"), "locating": _("正在定位…"),
        "located": _("已定位（精度约 %(metres)s 米）"), "not_located": _("未能定位，不影响提交"),
        "visited_at": _("走访时间"), "mode": _("走访方式"), "co_visitors": _("同行人员"), "place": _("位置"),
        "summary": _("走访情况"), "once_per_village": _("填写%(title)s（每个村（社区）一份，已有可跳过）"),
        "add_opinion": _("添加问题或意见建议"), "opinions": _("收集的问题、意见建议"), "settled": _("已当场解决"),
        "save": _("保存并发送"), "bad_time": _("走访时间：必填，且不能晚于现在"),
        "first_bad": _("请先改正“%(field)s”：%(rule)s"), "more_bad": _("（共 %(n)s 处需要改正，已用红字标出）"),
        "preview_ok": _("预览：校验通过（未保存）"),
        "status": {"pending": _("待发送"), "refused": _("被退回"), "conflict": _("编号冲突"), "login": _("需重新登录")},
        "outbox_title": _("未发送的走访记录 %(n)s 条"), "sending": _("正在发送…"),
        "offline": _("当前无网络，联网后自动发送"), "drop_item": _("删除此条"), "visited": _("已走访"),
        "login_expired": _("登录已过期或无权限：请重新登录，登录后自动发送"),
        "conflict_text": _("该编号已用于另一条内容不同的记录"),
        "login_again": _("重新登录"), "sent": _("已发送：%(name)s %(when)s 的走访记录已保存到系统"),
        "draft_restored": _("已恢复上次未发送的填写内容。"), "draft_discard": _("清空重填"),
        "waiting": _("%(name)s 有一条走访记录（%(when)s）还在本机，状态：%(status)s。不必重复记录，可修改这条记录。"),
        "edit_waiting": _("修改这条记录"), "record_again": _("确是再次走访，另记一条"),
        "editing_waiting": _("正在修改待发送的记录：保存后替换原来那条，只发送一次。"),
        "add_photos": _("添加照片"), "due_more": _("共 %(n)s 个未走访，见下方名单"),
        "list_separator": _("；"),  # between the server's messages on a refused record
    }
