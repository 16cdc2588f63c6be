"""Pages name a ballot's kind, counting rule and paper channel in words, never by their stored codes."""

from flask_babel import force_locale

from pbapp.pb.forms import BallotForm, PaperForm, choice_label


def test_stored_codes_read_as_the_form_offered_them(app):
    with app.test_request_context():
        assert choice_label(BallotForm, "rule", "phragmen") == "Sequential Phragmén"
        assert choice_label(BallotForm, "kind", "knapsack") == "Choose projects within the budget"
        assert choice_label(PaperForm, "channel", "paper") != "paper"
        assert choice_label(BallotForm, "rule", "retired-rule") == "retired-rule"
        assert choice_label(BallotForm, "rule", None) == ""


def test_labels_follow_the_readers_language(app):
    with app.test_request_context(), force_locale("cy"):
        assert choice_label(BallotForm, "rule", "greedy") != "Most votes first, skipping what does not fit"


def test_the_withdrawn_eligibility_mode_reads_in_words(app):
    from pbapp.pb import _label

    with app.test_request_context():
        assert _label("eligibility", "residents_or_codes").startswith("Residents by account or by letter code")
        assert _label("eligibility", "codes").startswith("People with a letter")
