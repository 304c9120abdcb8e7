"""On-site report and sign-off: the ward's representative signs a submitted round on the tablet once;
the heads are told; the one-page PDF holds the score, the failed items with photos, the orders that follow
and the signature, fetching nothing."""

from __future__ import annotations

import base64
import io
import re
import subprocess
import tempfile

import pytest
from django.urls import reverse
from PIL import Image, ImageDraw

from inspections import onsite, services
from inspections.models import RoundSignOff, Transition
from supervision.errors import ActionNotAllowed
from supervision.infra.uploads import clean_upload
from supervision.models import Notification

from .factories import answer_all, photo_upload, start_round


def _signature(blank: bool = False) -> bytes:
    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    if not blank:
        ImageDraw.Draw(image).line([(10, 80), (150, 20), (290, 70)], fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


@pytest.fixture
def submitted(supervisor, neike):
    rnd = start_round(actor=supervisor, department=neike)
    first, _b, _c = answer_all(rnd, supervisor, ["fail", "pass", "pass"], note="走廊有杂物")
    services.photo_add(answer=first, upload=clean_upload(photo_upload(), allow_pdf=False), actor=supervisor)
    return services.round_submit(rnd=rnd, actor=supervisor)


def test_signing_keeps_name_and_drawing_writes_history_and_tells_the_heads(supervisor, head_neike, submitted):
    sign_off = services.round_sign_off(
        rnd=submitted,
        actor=supervisor,
        signer_name="  王 护士长 ",
        signer_title="护士长",
        signature=_signature(),
    )
    assert sign_off.signer_name == "王 护士长"
    with sign_off.signature.open("rb") as handle:
        assert Image.open(handle).format == "PNG"
    assert Transition.objects.filter(action="sign_off").count() == 1
    notice = Notification.objects.get(
        recipient=head_neike, dedupe_key=f"inspection_round_signed:{submitted.pk}"
    )
    assert "王 护士长" in notice.title_text


def test_a_round_is_signed_once(supervisor, submitted):
    services.round_sign_off(rnd=submitted, actor=supervisor, signer_name="王", signature=_signature())
    with pytest.raises(ActionNotAllowed):
        services.round_sign_off(rnd=submitted, actor=supervisor, signer_name="李", signature=_signature())
    assert RoundSignOff.objects.get().signer_name == "王"


@pytest.mark.parametrize("signature", [b"", b"not a png", "blank"])
def test_an_empty_or_unreadable_drawing_is_refused(supervisor, submitted, signature):
    data = _signature(blank=True) if signature == "blank" else signature
    with pytest.raises(ActionNotAllowed):
        services.round_sign_off(rnd=submitted, actor=supervisor, signer_name="王", signature=data)
    assert not RoundSignOff.objects.exists()


def test_a_draft_round_cannot_be_signed(supervisor, neike):
    rnd = start_round(actor=supervisor, department=neike)
    with pytest.raises(ActionNotAllowed):
        services.round_sign_off(rnd=rnd, actor=supervisor, signer_name="王", signature=_signature())


def test_sign_off_page_keeps_the_typed_name_when_the_drawing_is_missing(client_for, supervisor, submitted):
    url = reverse("inspections:round_sign_off", args=[submitted.pk])
    response = client_for(supervisor).post(
        url, {"signer_name": "王芳", "signer_title": "护士长", "signature": ""}
    )
    assert response.status_code == 400
    assert 'value="王芳"' in response.content.decode()
    response = client_for(supervisor).post(
        url, {"signer_name": "王芳", "signer_title": "护士长", "signature": _data_url(_signature())}
    )
    assert response.status_code == 302
    page = client_for(supervisor).get(submitted.get_absolute_url()).content.decode()
    assert "王芳" in page and 'id="onsite-report"' in page


def test_sign_off_is_for_supervisors_and_other_departments_get_404(
    client_for, head_neike, supervisor, submitted, waike
):
    url = reverse("inspections:round_sign_off", args=[submitted.pk])
    assert client_for(head_neike).get(url).status_code == 403
    assert client_for(supervisor).get(url).status_code == 200


def test_report_pdf_is_the_departments_and_shows_the_orders_and_signature(
    client_for, supervisor, head_neike, head_waike, submitted
):
    services.round_sign_off(rnd=submitted, actor=supervisor, signer_name="王芳", signature=_signature())
    url = reverse("inspections:round_report_pdf", args=[submitted.pk])
    assert client_for(head_waike).get(url).status_code == 404
    response = client_for(head_neike).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(response.content)
        pdf.flush()
        text = subprocess.run(["pdftotext", pdf.name, "-"], capture_output=True, text=True, check=True).stdout
        pages = subprocess.run(["pdfinfo", pdf.name], capture_output=True, text=True, check=True).stdout
        images = subprocess.run(
            ["pdfimages", "-list", pdf.name], capture_output=True, text=True, check=True
        ).stdout
    order = submitted.answers.get(result="fail").finding.order
    assert order.number in text and "王芳" in text and "走廊有杂物" in text
    assert re.search(r"^Pages:\s+1$", pages, re.M), pages
    assert len(images.strip().splitlines()) >= 4  # header lines + the photo + the signature


def test_report_fetches_nothing_but_data_uris():
    fetcher = onsite.data_only_fetcher()
    for url in ("http://example.org/x.png", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_report_pdf_of_a_draft_round_is_404(client_for, supervisor, neike):
    rnd = start_round(actor=supervisor, department=neike)
    assert (
        client_for(supervisor).get(reverse("inspections:round_report_pdf", args=[rnd.pk])).status_code == 404
    )
