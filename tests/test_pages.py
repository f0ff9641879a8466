from django import forms
from django.template.loader import render_to_string


class ExampleForm(forms.Form):
    name = forms.CharField(label="Name", help_text="As it appears in the report")
    kind = forms.ChoiceField(label="Kind", choices=[("a", "Alpha"), ("b", "Beta")], widget=forms.RadioSelect)
    body = forms.CharField(label="Body", widget=forms.Textarea)
    agree = forms.BooleanField(label="I agree")


def test_forms_render_in_govuk_markup_with_an_error_summary():
    form = ExampleForm(data={"name": "", "kind": "z", "body": "text"})
    assert not form.is_valid()
    html = str(form)
    assert 'class="govuk-error-summary"' in html
    assert '<a href="#id_name">This field is required.</a>' in html
    assert 'class="govuk-input govuk-input--error"' in html
    assert 'aria-describedby="id_name-hint id_name-error"' in html
    assert 'class="govuk-radios__input"' in html
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Kind</legend>' in html
    assert 'class="govuk-textarea"' in html
    assert "govuk-checkboxes__input" in html


def test_a_valid_form_has_no_error_summary():
    form = ExampleForm(data={"name": "x", "kind": "a", "body": "y", "agree": "on"})
    assert form.is_valid()
    assert "govuk-error-summary" not in str(form)


def test_pages_have_no_inline_script_or_style(client, db):
    html = client.get("/").content.decode()
    assert "<script>" not in html and "<script type=\"module\">" not in html
    assert "style=" not in html and "<style" not in html
    assert client.get("/").headers["Content-Security-Policy"].count("unsafe-inline") == 0


def test_error_pages_use_the_service_layout(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"govuk-generic-header" in response.content
    assert "Sorry, there is a problem" in render_to_string("500.html")


def test_security_headers_are_sent(client, db):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_the_home_page_says_what_the_service_is(client, db):
    html = client.get("/").content.decode()
    assert "Police and Crime Plan" in html
    assert "Published reports" in html


def test_the_statement_and_privacy_notice_give_the_contact_address_when_it_is_set(client, settings):
    settings.CONTACT_EMAIL = "contact@opcc.example.org"
    for path in ["/accessibility/", "/privacy/"]:
        assert '<a class="govuk-link" href="mailto:contact@opcc.example.org">' in client.get(path).content.decode()
    settings.CONTACT_EMAIL = ""
    assert "contact details on the Commissioner's website" in client.get("/accessibility/").content.decode()
