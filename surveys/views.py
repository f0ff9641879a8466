"""Staff pages for survey results: the entry grid, import with a dry run, and export.

Every view is for OPCC staff only (organisations.roles.staff_required); the public sees survey
results only through published reports (surveys/report_blocks.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from measures import importing as measures_importing
from measures.models import Area
from measures.resources import FORMATS
from organisations.roles import staff_required
from surveys import importing, presenters, services
from surveys.forms import ConfirmImportForm, ImportForm, ResultGridForm
from surveys.models import Question, Survey, Wave
from surveys.resources import export_results
from surveys.results import read_grid

# Session key of the checked uploads awaiting confirmation, by token.
PENDING_IMPORTS = "surveys_pending_imports"


def _pending_uploads(request) -> measures_importing.PendingUploads:
    return measures_importing.PendingUploads(request.session, PENDING_IMPORTS, check="check", checked="checked")


@require_GET
@staff_required
def index(request):
    surveys = Survey.objects.prefetch_related(
        Prefetch("waves", queryset=Wave.objects.select_related("period").in_order()),
    )
    return render(request, "surveys/index.html", {"surveys": surveys})


@require_GET
@staff_required
def wave_detail(request, survey, wave):
    wave = get_object_or_404(Wave.objects.select_related("survey", "period"), survey__slug=survey, code=wave)
    questions = wave.survey.questions.all()
    answered = set(wave.results.values_list("question_id", flat=True).distinct())
    rows = [(question, question.pk in answered) for question in questions]
    return render(request, "surveys/wave.html", {
        "wave": wave, "survey": wave.survey, "rows": rows, "segments": list(wave.survey.segments.all()),
    })


@require_http_methods(["GET", "POST"])
@staff_required
def entry(request, survey, wave, question):
    """One wave's results of one question for every area at once: the grid."""
    wave = get_object_or_404(Wave.objects.select_related("survey", "period"), survey__slug=survey, code=wave)
    question = get_object_or_404(
        Question.objects.prefetch_related("options", "groups__options"), survey=wave.survey, code=question
    )
    segment = None
    if request.GET.get("segment"):
        segment = get_object_or_404(wave.survey.segments, code=request.GET["segment"])
    areas = list(Area.objects.all())
    grid = read_grid(question, wave_ids=[wave.pk], segment=segment)
    entered = {
        (area_id, code): cell.percentage
        for (_, area_id, code), cell in grid.cells.items() if not cell.computed
    }
    form = ResultGridForm(
        request.POST if request.method == "POST" else None,
        question=question, areas=areas, columns=grid.columns,
        initial_cells=entered, initial_bases={area_id: n for (_, area_id), n in grid.bases.items()},
    )
    if request.method == "POST" and form.is_valid():
        figures = {}
        for (area_id, code), percentage in form.figures().items():
            column = next(column for column in grid.columns if column.code == code)
            option_id = column.option.pk if column.option else None
            group_id = column.group.pk if column.group else None
            figures[(area_id, option_id, group_id)] = percentage
        outcome = services.save_grid(
            wave=wave, question=question, segment=segment, figures=figures, bases=form.bases(),
            user=request.user,
        )
        messages.success(request, presenters.saved_message(outcome, question=question, wave=wave))
        return redirect(request.get_full_path())
    # A group left empty shows the total its options give, as the box's hint.
    for (_, area_id, code), cell in grid.cells.items():
        if cell.computed:
            form.show_computed(area_id, code, presenters.percentage_text(cell.percentage, question.decimals))
    return render(request, "surveys/entry.html", {
        "wave": wave, "survey": wave.survey, "question": question, "segment": segment,
        "form": form, "columns": grid.columns,
    })


@require_GET
@staff_required
def export(request, survey, file_format, wave=None):
    if file_format not in FORMATS:
        raise Http404("Survey results export as csv or xlsx")
    survey = get_object_or_404(Survey, slug=survey)
    waves = None
    name = survey.slug
    if wave is not None:
        wave = get_object_or_404(Wave, survey=survey, code=wave)
        waves = [wave]
        name = f"{survey.slug}-{wave.code}"
    content = export_results(survey=survey, waves=waves, file_format=file_format)
    format_class = FORMATS[file_format]()
    response = HttpResponse(content, content_type=format_class.get_content_type())
    response["Content-Disposition"] = f'attachment; filename="{name}-results.{file_format}"'
    return response


@require_http_methods(["GET", "POST"])
@staff_required
def import_upload(request):
    """Step 1: upload and check (a dry run). Nothing is written here.

    A file worth importing is kept on the server (as the figures' admin import keeps its
    uploads), named in the session with its SHA-256: the browser carries only a token.
    """
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        summary = importing.import_results(source=content, filename=upload.name, dry_run=True)
        confirm = None
        if summary.ok and summary.rows:
            confirm = ConfirmImportForm(initial=_pending_uploads(request).add(content, upload.name))
        return render(request, "surveys/import_preview.html", {
            "summary": summary, "filename": upload.name, "confirm": confirm,
        })
    return render(request, "surveys/import.html", {"form": form})


@require_POST
@staff_required
def import_confirm(request):
    """Step 2: import the stored file if it is still the one checked, checking it all again."""
    form = ConfirmImportForm(request.POST)
    form.is_valid()  # a missing field is an unknown token, refused below
    uploads = _pending_uploads(request)
    try:
        pending, content = uploads.take(form.cleaned_data.get("token", ""), form.cleaned_data.get("sha256", ""))
    except measures_importing.UploadChanged as error:
        messages.error(request, str(error))
        return redirect("surveys:import")
    summary = importing.import_results(source=content, filename=pending["filename"], user=request.user)
    if not summary.ok:
        # Something changed since the check (a wave suspended, say): show what is wrong now.
        return render(request, "surveys/import_preview.html", {
            "summary": summary, "filename": pending["filename"], "confirm": None,
        })
    uploads.forget(form.cleaned_data["token"], delete=True)
    messages.success(request, presenters.import_message(summary))
    return redirect("surveys:index")
