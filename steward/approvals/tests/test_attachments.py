"""PLT-09: files handed in with an application — limits with clear errors, downloads only for those who may see it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from steward.approvals import services
from steward.approvals.models import Application, Attachment
from steward.approvals.tests.conftest import LEAVE, leave_payload
from steward.core.errors import DomainError


def pdf(name="证明.pdf", size=2000):
    return SimpleUploadedFile(name, b"%PDF" + b"x" * (size - 4), content_type="application/pdf")


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def submit_with(people, *files):
    return services.submit(people.rm, LEAVE, reason="病假", payload=leave_payload(kind="sick"), attachments=files)


def test_attachments_are_stored_under_a_random_name_with_the_original_kept_for_display(people, settings):
    application = submit_with(people, pdf(), SimpleUploadedFile("scan.JPG", b"\xff\xd8" * 100, "image/jpeg"))

    names = list(application.attachments.values_list("name", "size", "content_type"))
    assert names == [("证明.pdf", 2000, "application/pdf"), ("scan.JPG", 200, "image/jpeg")]
    for attachment in application.attachments.all():
        assert attachment.file.name.startswith("approvals/")
        assert attachment.name not in attachment.file.name
    assert len(stored_files(settings)) == 2


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([pdf(size=3000)], "“证明.pdf” is 2.9 KB; a file may be at most 2.0 KB."),
        ([SimpleUploadedFile("tool.exe", b"MZ" * 10)], "“tool.exe”: files of this type cannot be attached"),
        ([SimpleUploadedFile("empty.pdf", b"")], "“empty.pdf” is empty."),
        ([pdf(f"{i}.pdf", 100) for i in range(3)], "At most 2 files can be attached; you chose 3."),
    ],
    ids=["too large", "type not allowed", "empty", "too many"],
)
def test_attachment_limits_refuse_the_submission_with_a_clear_error(people, settings, files, message):
    settings.APPROVALS_MAX_ATTACHMENT_BYTES = 2048
    settings.APPROVALS_MAX_ATTACHMENTS = 2

    with pytest.raises(DomainError) as refused:
        submit_with(people, *files)

    assert message in str(refused.value).replace("\xa0", " ")
    assert refused.value.field == "attachments"
    assert not Application.objects.exists()
    assert stored_files(settings) == []


@pytest.fixture
def with_attachment(people):
    application = submit_with(people, pdf())
    return application, application.attachments.get()


def test_the_submitter_the_handler_and_the_monitor_may_download_an_attachment(people, with_attachment, client):
    _application, attachment = with_attachment
    for person in (people.rm, people.lead, people.manager):
        client.force_login(person)
        response = client.get(f"/approvals/attachments/{attachment.pk}/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        assert "attachment;" in response["Content-Disposition"]


def test_nobody_else_can_download_an_attachment(bank, people, with_attachment, client):
    _application, attachment = with_attachment
    for person in (people.rm2, people.south_lead, people.south_rm):
        client.force_login(person)
        assert client.get(f"/approvals/attachments/{attachment.pk}/").status_code == 404
    client.force_login(bank.admin)  # holds no application permission at all
    assert client.get(f"/approvals/attachments/{attachment.pk}/").status_code == 403
    client.logout()
    assert client.get(f"/approvals/attachments/{attachment.pk}/").status_code == 302
    assert Attachment.objects.count() == 1
