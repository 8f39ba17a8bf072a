"""The test client makes Django's middleware again for every Client, and WhiteNoise's middleware reads every file
under STATIC_ROOT when it is made (a stat and a look for compressed twins of each: about 30 ms here). The suite reads
that index once a process (zoufang/conftest.py's `_static_index_once`), and again where the files changed."""

from django.test import Client
from whitenoise.base import WhiteNoise


def _count_indexing(monkeypatch):
    indexed = []
    original = WhiteNoise.add_file_to_dictionary

    def counted(self, url, path, stat_cache=None):
        indexed.append(url)
        return original(self, url, path, stat_cache=stat_cache)

    monkeypatch.setattr(WhiteNoise, "add_file_to_dictionary", counted)
    return indexed


def test_it_reads_the_static_files_once_for_every_client(settings, tmp_path, monkeypatch):
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "site.css").write_text("body { color: #222 }")
    indexed = _count_indexing(monkeypatch)
    first = Client().get("/static/web/site.css")
    second = Client().get("/static/web/site.css")
    assert first.status_code == second.status_code == 200
    assert b"".join(second.streaming_content) == b"body { color: #222 }"
    assert indexed == ["/static/web/site.css"]


def test_it_reads_them_again_where_a_file_changed(settings, tmp_path, monkeypatch):
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "site.css").write_text("body { color: #222 }")
    assert Client().get("/static/site.css").status_code == 200
    assert Client().get("/static/app.js").status_code == 404
    (tmp_path / "app.js").write_text("console.log(1)")
    indexed = _count_indexing(monkeypatch)
    assert Client().get("/static/app.js").status_code == 200
    assert sorted(indexed) == ["/static/app.js", "/static/site.css"]


def test_a_static_prefix_of_its_own_is_indexed_on_its_own(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "site.css").write_text("body { color: #222 }")
    assert Client().get("/static/site.css").status_code == 200
    settings.STATIC_URL = "/assets/"
    assert Client().get("/assets/site.css").status_code == 200
    assert Client().get("/static/site.css").status_code == 404
