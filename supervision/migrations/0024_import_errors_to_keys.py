"""An import's refused rows were stored in ``ImportRun.errors`` already worded, in the importer's
language; each becomes a message key + parameters, worded when shown in the reader's language
(``ImportRun.error_rows``, the admin). The written words stay beside the key (``message``) and
are shown if a key is ever removed. An error of another shape (a retention run's, a foreign
system's reason, a wording from before) is kept as written and shown as written.

The wordings are frozen here as they were (Chinese and English). "Not one of" names the choices
by the run's kind and column (a department's kind, a staff member's position, a knowledge entry's
kind: the allowed values then shown by their labels); lists ("Missing columns: …") are split at
the language's separator; numbers (rows, sizes) become numbers.
"""

import re

from django.db import migrations

MESSAGES = {
    "import.csv_encoding": [
        "CSV 文件编码既不是 UTF-8 也不是 GBK。",
        "The CSV file is neither UTF-8 nor GBK encoded.",
    ],
    "import.empty": ["文件为空。", "The file is empty."],
    "import.too_large": [
        "文件过大（%(size)s MB），上限为 %(limit)s MB。",
        "The file is too large (%(size)s MB); the limit is %(limit)s MB.",
    ],
    "import.csv_line": [
        "CSV 文件第 %(line)s 行无法读取（%(reason)s），未导入任何数据。",
        "Line %(line)s of the CSV file cannot be read (%(reason)s); nothing was imported.",
    ],
    "import.not_xlsx": [
        "这不是 Excel .xlsx 文件（可能是其他文件改了扩展名）。",
        "This is not an Excel .xlsx file (perhaps another file renamed to .xlsx).",
    ],
    "import.xlsx_unreadable": [
        "无法读取该 Excel 文件，请另存为 .xlsx 后重试。",
        "The Excel file cannot be read; save it again as .xlsx and retry.",
    ],
    "import.wrong_type": [
        "请上传 Excel（.xlsx）或 CSV（.csv）文件。",
        "Upload an Excel (.xlsx) or CSV (.csv) file.",
    ],
    "import.zip_bomb": [
        "该 Excel 文件解压后体积异常，已拒绝。",
        "The Excel file unpacks to an unreasonable size and was refused.",
    ],
    "import.missing_columns": [
        "缺少列：%(missing)s。请下载模板查看所需的列。",
        "Missing columns: %(missing)s. Download the template to see the expected columns.",
    ],
    "import.duplicate_columns": ["列名重复：%(cols)s。", "Columns appear twice: %(cols)s."],
    "import.unknown_columns": [
        "无法识别的列：%(cols)s。请下载模板查看所需的列。",
        "Unknown columns: %(cols)s. Download the template to see the expected columns.",
    ],
    "import.required": ["此列必填。", "This column is required."],
    "import.too_many_rows": ["超过 %(max)s 行，请拆分文件。", "More than %(max)s rows; split the file."],
    "import.no_data": ["文件只有表头，没有数据。", "The file has a header row but no data."],
    "import.failed": [
        "导入意外中断，未写入任何数据。",
        "The import failed unexpectedly; nothing was written.",
    ],
    "import.too_long": ["最多 %(n)s 个字符。", "At most %(n)s characters."],
    "import.not_a_date": [
        "“%(value)s”不是有效日期（格式如 2026-03-01）。",
        "“%(value)s” is not a date (use 2026-03-01).",
    ],
    "import.not_yes_no": [
        "“%(value)s”不是“是”或“否”：请填写 是 或 否。",
        "“%(value)s” is not yes or no: write 是 or 否.",
    ],
    "import.not_a_whole_number": ["“%(value)s”不是整数。", "“%(value)s” is not a whole number."],
    "import.not_one_of": [
        "“%(value)s”不是以下可选值之一：%(allowed)s。",
        "“%(value)s” is not one of: %(allowed)s.",
    ],
    "import.bad_phone": [
        "“%(value)s”不是有效的电话号码（手机号为 1 开头的 11 位数字，固定电话须带区号）。",
        "“%(value)s” is not a valid phone number (mobile 1xxxxxxxxxx or landline with area code).",
    ],
    "import.repeated_key": [
        "第 %(row)s 行的%(col)s“%(key)s”与第 %(first)s 行重复。",
        "Row %(row)s repeats %(col)s “%(key)s” of row %(first)s.",
    ],
    "import.name_taken": [
        "名称“%(name)s”已被科室 %(code)s 使用。",
        "The name “%(name)s” is already used by department %(code)s.",
    ],
    "import.unknown_department_code": ["科室编码“%(code)s”不存在。", "Unknown department code “%(code)s”."],
    "his.no_driver": [
        "未安装MySQL/MariaDB驱动（PyMySQL）。",
        "The MySQL/MariaDB driver (PyMySQL) is not installed.",
    ],
    "his.bad_scheme": [
        "HIS_DATABASE_URL的协议为“%(scheme)s”；请使用postgresql、mysql或sqlite。",
        "HIS_DATABASE_URL has the scheme “%(scheme)s”; use postgresql, mysql or sqlite.",
    ],
    "his.no_database": [
        "未配置HIS数据库（HIS_DATABASE_URL）。",
        "No HIS database is configured (HIS_DATABASE_URL).",
    ],
    "his.no_query": [
        "未配置HIS查询语句（管理后台：HIS数据拉取）。",
        "No HIS query is configured (admin: HIS pull).",
    ],
    "his.unreachable": ["无法连接HIS数据库：%(reason)s", "The HIS database cannot be reached: %(reason)s"],
    "his.query_failed": ["HIS查询执行失败：%(reason)s", "The HIS query failed: %(reason)s"],
    "import.not_sex": [
        "“%(value)s”不是有效的性别（男 / 女 / 未知）。",
        "“%(value)s” is not a sex (男 / 女 / 未知).",
    ],
    "import.not_discharge_method": [
        "“%(value)s”不是有效的离院方式（1 医嘱离院、2 医嘱转院、3 转社区、4 非医嘱离院、5 死亡、9 其他）。",
        "“%(value)s” is not a discharge method (1 医嘱离院, 2 医嘱转院, 3 转社区, 4 非医嘱离院, 5 死亡, 9 其他).",
    ],
    "import.not_age": ["“%(value)s”不是有效的年龄（周岁）。", "“%(value)s” is not an age in years."],
    "import.unknown_department": [
        "未知科室“%(value)s”（既不是科室名称也不是科室编码）。",
        "Unknown department “%(value)s” (neither a department name nor a code).",
    ],
    "import.discharge_before_admission": [
        "出院日期早于入院日期。",
        "The discharge date is before the admission date.",
    ],
    "import.discharge_in_future": ["出院日期晚于今天。", "The discharge date is in the future."],
    "import.repeated_stay": [
        "第 %(row)s 行与第 %(first)s 行重复：住院号 %(no)s、出院日期 %(date)s 为同一次住院。",
        "Row %(row)s repeats the stay %(no)s discharged on %(date)s of row %(first)s.",
    ],
    "import.not_outcome": [
        "“%(value)s”不是有效的回访结果（如：成功、空号、关机、无人接听、拒访、死亡、信函）。",
        "“%(value)s” is not a follow-up result (e.g. 成功, 空号, 关机, 无人接听, 拒访, 死亡, 信函).",
    ],
    "import.not_mode": [
        "“%(value)s”不是有效的回访方式（电话 / 信函）。",
        "“%(value)s” is not a follow-up method (电话 / 信函).",
    ],
    "import.not_satisfaction": [
        "“%(value)s”不是有效的满意度（满意 / 不满意）。",
        "“%(value)s” is not a satisfaction answer (满意 / 不满意).",
    ],
    "import.followup_before_discharge": [
        "回访日期早于出院日期。",
        "The follow-up date is before the discharge date.",
    ],
    "import.followup_in_future": ["回访日期晚于今天。", "The follow-up date is in the future."],
    "import.caller_ambiguous": [
        "“%(name)s”是多名随访人员的姓名；请在管理后台的“回访人姓名对照”中指定是哪一位，再重新导入。",
        "“%(name)s” is the name of several follow-up staff; map it to one of them (admin: caller name mappings) and import again.",
    ],
    "import.no_stay": [
        "找不到住院号 %(no)s、出院日期 %(date)s 的出院记录，请先导入出院记录。",
        "No discharged stay %(no)s on %(date)s; import the discharge records first.",
    ],
    "import.repeated_record": [
        "第 %(row)s 行与第 %(first)s 行的记录重复。",
        "Row %(row)s repeats the record of row %(first)s.",
    ],
    "import.interrupted": [
        "导入已中断 %(n)s 次（后台处理进程停止），未写入任何数据。请将文件拆分后分批导入。",
        "The import was interrupted %(n)s times (the background worker stopped); nothing was written. Split the file and import the parts.",
    ],
    "import.repeated_title": [
        "第 %(row)s 行与第 %(first)s 行的“%(title)s”重复。",
        "Row %(row)s repeats “%(title)s” of row %(first)s.",
    ],
    "import.unknown_user": ["没有在用的用户“%(name)s”。", "No active user “%(name)s”."],
}
CSV_REASONS = {
    "import.csv_cell_too_long": ["有单元格超过 %(n)s 个字符", "a cell is longer than %(n)s characters"],
    "import.csv_malformed": ["CSV 格式错误", "malformed CSV"],
}
# "Not one of" of a known column: its key and the values of its choices (then shown by label).
CHOICES = {
    ("departments", "类型"): ("import.not_department_kind", ["clinical", "window", "support"]),
    ("staff", "岗位"): (
        "import.not_position",
        ["doctor", "nurse", "technician", "pharmacist", "clerk", "support", "other"],
    ),
    ("knowledge", "类别"): (
        "import.not_knowledge_kind",
        ["department", "expert", "service", "faq", "other_hospital"],
    ),
}
LISTS = {"missing", "cols", "allowed"}
NUMBERS = {"row", "first", "n", "size", "limit", "line", "max"}
SEPARATORS = ["、", ", "]  # Chinese, English: the list separator of each template's language


def _pattern(template):
    parts = re.split(r"%\((\w+)\)s", template.replace("%%", "%"))
    pattern, seen = "", set()
    for i, part in enumerate(parts):
        if i % 2 == 0:
            pattern += re.escape(part)
        elif part in seen:
            pattern += f"(?P={part})"
        else:
            seen.add(part)
            pattern += f"(?P<{part}>.+?)"
    return re.compile(pattern, re.DOTALL)


PATTERNS = [
    (key, language, _pattern(template))
    for table in (MESSAGES, CSV_REASONS)
    for key, templates in table.items()
    for language, template in enumerate(templates)
]


def unword(text, table=MESSAGES):
    """(key, params) that give ``text`` in Chinese or English, or None."""
    for key, language, pattern in PATTERNS:
        if key not in table or not (match := pattern.fullmatch(text)):
            continue
        params = {}
        for name, value in match.groupdict().items():
            if name in LISTS:
                value = value.split(SEPARATORS[language])
            elif name in NUMBERS and value.isdigit():
                value = int(value)
            params[name] = value
        if key == "import.csv_line":
            reason = unword(params["reason"], CSV_REASONS)
            if reason is not None:
                params["reason"] = {"key": reason[0], "params": reason[1]}
        return key, params
    return None


def convert_error(kind, error):
    """The error with its key + parameters (its words kept as ``message``), or as it was."""
    if not isinstance(error, dict) or "key" in error or not isinstance(error.get("message"), str):
        return error
    found = unword(error["message"])
    if found is None:
        return error
    key, params = found
    if key == "import.not_one_of" and (kind, error.get("column", "")) in CHOICES:
        key, values = CHOICES[(kind, error.get("column", ""))]
        params["allowed"] = values
    return {**error, "key": key, "params": params}


def convert_errors(kind, errors):
    return [convert_error(kind, error) for error in errors or []]


def import_errors(apps):
    ImportRun = apps.get_model("supervision", "ImportRun")
    changed = []
    for run in ImportRun.objects.exclude(errors=[]).only("pk", "kind", "errors").iterator(chunk_size=200):
        errors = convert_errors(run.kind, run.errors)
        if errors != run.errors:
            run.errors = errors
            changed.append(run)
    ImportRun.objects.bulk_update(changed, ["errors"], batch_size=200)
    return len(changed)


def forwards(apps, schema_editor):
    import_errors(apps)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0023_reveal_purpose_keys")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
