"""Journey: a supervisor imports an HIS discharge file in the background (the size threshold lowered
so that a small file takes the background path); the job page lists the refused rows in Chinese and
says what to do next; back on the import page, the run under *Recent imports* opens the same errors;
the corrected file then imports. (Tests run Celery eagerly: the job is done when its page opens.)"""

from __future__ import annotations

from supervision.models import DischargeStay, ImportRun

from .conftest import journey_marks

pytestmark = journey_marks()

HEADER = (
    "住院号,姓名,性别,年龄,联系电话,备用电话,科室,主治医生,责任护士,入院日期,出院日期,出院诊断,离院方式\n"
)
GOOD = "ZY1,张伟,男,56,13800138000,,内科,李明,王芳,2026-03-01,2026-03-08,肺炎,1\n"
BAD = "ZY2,李娜,女,40,12345,,内科,李明,王芳,2026-03-01,2026-03-08,肺炎,1\n"


def test_supervisor_reads_a_refused_background_import_and_imports_the_corrected_file(
    session_for, shots, roles_groups, supervisor, neike, tmp_path, monkeypatch
):
    import followups.views

    monkeypatch.setattr(followups.views, "ASYNC_IMPORT_BYTES", 10)
    bad = tmp_path / "his.csv"
    bad.write_text(HEADER + GOOD + BAD, encoding="utf-8")

    page = session_for(supervisor, viewport={"width": 1024, "height": 768})
    page.goto("/followups/imports/discharges/")
    page.set_input_files("input[type=file]", str(bad))
    with page.expect_navigation():
        page.click("form button.btn-primary")
    shots(page, "job-refused")
    assert "/followups/imports/jobs/" in page.url
    refused = page.locator("#import-job").inner_text()
    assert "未导入任何数据" in refused and "“12345”不是有效的电话号码" in refused
    assert "请修改上述各行后重新导入整个文件" in refused

    with page.expect_navigation():
        page.click("text=返回导入页面")
    errors = page.locator("details.import-run-errors").first
    assert not errors.locator("table").is_visible()
    errors.locator("summary").click()
    shots(page, "recent-imports-errors-open")
    assert "“12345”不是有效的电话号码" in errors.locator("table").inner_text()

    bad.write_text(HEADER + GOOD, encoding="utf-8")
    page.set_input_files("input[type=file]", str(bad))
    with page.expect_navigation():
        page.click("form button.btn-primary")
    shots(page, "job-done")
    assert "新增 1 条" in page.locator("#import-job").inner_text()
    assert DischargeStay.objects.count() == 1
    assert list(ImportRun.objects.order_by("id").values_list("succeeded", flat=True)) == [False, True]
