import factory
from django.utils import timezone

from placebook.indicators.models import ImportJob, ImportJobFormat, ImportJobStatus

HEADER = "Indicator ID,Area Code,Time period,Sex,Age,Value"


class ImportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportJob

    uploaded_by = factory.SubFactory("tests.factories.core.UserFactory")
    file_name = factory.Sequence(lambda n: f"phof-{n}.csv")
    format = ImportJobFormat.CSV
    content = f"{HEADER}\n90362,E08000014,2021/22,Persons,All ages,61.2\n".encode()
    release_key = factory.Sequence(lambda n: f"release-{n}")


class ImportJobSucceededFactory(ImportJobFactory):
    status = ImportJobStatus.SUCCEEDED
    created, revised, unchanged = 1, 0, 0
    started_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyFunction(timezone.now)


class ImportJobFailedFactory(ImportJobFactory):
    status = ImportJobStatus.FAILED
    errors = factory.LazyFunction(
        lambda: [
            {"row": 2, "column": "Area Code", "value": "E99", "message": "Unknown area code 'E99'."}
        ]
    )
    error_count = 1
    failure = "1 problem(s) in the file; nothing was imported."
    started_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyFunction(timezone.now)
