from django.db import migrations

# The finding taxonomy from the office's annual summaries (docs/domain.md); editable in the admin.
CATEGORIES = [
    ("attitude", "服务态度", "态度生硬、“生、冷、硬、顶、推”"),
    ("process", "服务流程不规范", "未按流程、制度执行"),
    ("discipline", "工作纪律", "脱岗、迟到早退、工作时间做与工作无关的事"),
    ("norms", "服务规范", "着装、佩戴工牌、文明用语"),
    ("hygiene", "环境卫生", "环境整洁、卫生间异味、吸烟"),
    ("quality_safety", "医疗质量与安全", "手卫生、核对制度、陪检"),
    ("records", "病历书写", "病历规范性、完整性、及时性"),
    ("privacy", "隐私保护", "一医一患、遮挡、异性检查第三人在场"),
    ("communication", "医患沟通", "告知不充分、解释不耐心"),
    ("billing", "收费", "收费不清、费用过高"),
    ("waiting", "等候时间", "窗口排队、候诊时间过长"),
    ("logistics", "后勤保障", "热水、食堂、设施维修、轮椅"),
    ("other", "其他", ""),
]


def seed(apps, schema_editor):
    Category = apps.get_model("supervision", "Category")
    for order, (code, name, description) in enumerate(CATEGORIES, 1):
        Category.objects.get_or_create(code=code, defaults={"name": name, "description": description, "sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
