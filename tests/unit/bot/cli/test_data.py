"""`python -m bot` as a subprocess against a temporary SQLite database."""
from __future__ import annotations


def test_cli_flow(run, tmp_path):
    r = run("init-db")
    assert r.returncode == 0, r.stderr
    assert "93 cơ quan" in r.stdout and "thêm 10 bản ghi mẫu" in r.stdout
    r = run("init-db")
    assert r.returncode == 0 and "Không có gì thay đổi" in r.stdout

    r = run("status", "quang ninh")
    assert r.returncode == 0, r.stderr
    assert "Tỉnh Quảng Ninh" in r.stdout and "quá hạn 62 ngày" in r.stdout and "dữ liệu mẫu" in r.stdout

    r = run("status", "Quảng")
    assert r.returncode == 1 and "chưa rõ" in r.stderr

    r = run("status", "Hà Giang")
    assert "Tỉnh Tuyên Quang" in r.stdout

    r = run("record", "Bộ TT&TT", "BC-2022-Q1", "16/03/2022", "12/BC-BTTTT", "--note", "ghi chú")
    assert r.returncode == 0, r.stderr
    assert "Đã ghi nhận: Bộ Thông tin và Truyền thông" in r.stdout
    r = run("record", "Bộ TT&TT", "BC-2022-Q1", "16/03/2022", "12/BC-BTTTT")
    assert r.returncode == 1 and "Đã có bản ghi" in r.stderr
    r = run("record", "Bộ TT&TT", "BC-2022-Q1", "32/03/2022", "x")
    assert r.returncode == 1 and "không tồn tại" in r.stderr
    r = run("record", "Xyz", "BC-2022-Q1", "16/03/2022", "x")
    assert r.returncode == 1 and "Không tìm thấy" in r.stderr

    r = run("overdue", "--today", "2022-03-16")
    assert r.returncode == 0
    assert "BC-2022-Q1" in r.stdout and "Bộ Y tế:" not in r.stdout and "Thành phố Hà Nội" in r.stdout
    assert "Bộ Thông tin và Truyền thông:" not in r.stdout
    r = run("overdue", "--today", "2022-03-01")
    assert "không có cơ quan nào quá hạn" in r.stdout




def test_cli_uninitialised_db(run):
    r = run("status", "Bộ Y tế")
    assert r.returncode == 2 and "init-db" in r.stderr


# --------------------------------------------------------------------------- #
# import .xlsx, export status / overdue to .csv and .xlsx                      #
# --------------------------------------------------------------------------- #











def test_record_by_the_operator_is_audited(run):
    assert run("init-db", "--no-samples").returncode == 0
    r = run("record", "Bộ Y tế", "KH-2022", "20/04/2022", "77/KH-BYT")
    assert r.returncode == 0, r.stderr
    r = run("audit", "--agency", "BYT")
    assert "ghi nhận văn bản" in r.stdout and "vận hành" in r.stdout and "số hiệu=77/KH-BYT" in r.stdout
