from django.template.loader import render_to_string

from zoufang.conftest import PASSWORD


def test_it_logs_in_through_the_chinese_form(town, client):
    page = client.get("/login/").content.decode()
    assert "用户名" in page
    assert "密码" in page
    response = client.post("/login/", {"username": "office", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_it_says_why_a_login_failed_in_chinese(town, client):
    response = client.post("/login/", {"username": "office", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_it_logs_out_with_a_post(town, login):
    client = login(town.users["office"])
    assert 'action="/logout/"' in client.get("/").content.decode()
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_it_explains_a_lockout_in_chinese(town, client, settings):
    settings.AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "office", "password": "wrong"})
    response = client.post("/login/", {"username": "office", "password": PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert "账号已暂时锁定" in html
    assert "分钟后再试" in html


def test_it_shows_the_import_link_only_to_managers(town, login):
    assert 'href="/imports/"' in login(town.users["office"]).get("/").content.decode()
    assert 'href="/imports/"' not in login(town.users["leader"]).get("/").content.decode()


def test_it_renders_the_server_error_page_without_a_request():
    assert "系统出错" in render_to_string("500.html")
