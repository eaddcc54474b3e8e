"""English: the letter, the call script and the termination clause as a professional would write them.

Every language module has the same keys (see ``parting.letters.phrases``). A value is a string, or a
dict by the contact's form of address (``masculine`` / ``feminine`` / ``neutral``), or for ``days`` a
dict by CLDR plural category. Placeholders in braces are filled with values already formatted for the
language; a value never becomes markup or a format string itself.
"""

T = {
    # -- the letter ---------------------------------------------------------------------------
    "subject": "The end of our services on {end_date}",
    "salutation": {"masculine": "Dear Mr {surname},", "feminine": "Dear Ms {surname},", "neutral": "Dear {name},"},
    "salutation_titled": "Dear {title} {surname},",
    # C1, C5: after the call (default) or as the only notice (the user's explicit choice)
    "decision_after_call": (
        "Further to our conversation on {notice_date}, I am writing to confirm that {firm} will end its services "
        "to {client}. Our last day of work for you will be {end_date}. This decision is final."
    ),
    "decision_letter_only": (
        "I am writing to let you know that {firm} will end its services to {client}. Our last day of work for you "
        "will be {end_date}. This decision is final."
    ),
    # C6: general and positive, never blame
    "reason_capacity": (
        "Our practice has grown quickly, and we can no longer give every client the quality of service we expect "
        "of ourselves."
    ),
    "reason_focus": "We are focusing our work on a narrower range of services and moving in a new direction.",
    "reason_time": "We are not able to dedicate the time that your expectations call for.",
    "reason_fit": "We believe another firm will be better placed to meet your needs.",
    "reason_general": "After careful thought, we have concluded that another firm will serve you better.",
    # O1–O6, O9: what happens next
    "next_intro": "What happens next:",
    "work": "We will complete the work in progress before that date: {work}.",
    "final_invoice": "You will receive our final invoice of {amount} for the work up to {end_date}.",
    "final_invoice_estimate": (
        "You will receive our final invoice for the work up to {end_date}, which we estimate at {amount}."
    ),
    "refund": "We will refund {amount}, the prepaid share of the work that will not be done.",
    "credit": "We will issue a credit note of {amount} for the prepaid share of the work that will not be done.",
    "files": (
        "We will send you all your files and documents by {files_by}, and you may ask us for copies until "
        "{deletion_date}."
    ),
    "deletion": (
        "On {deletion_date} we will delete all copies of your records that we hold, except the accounting records "
        "that the law requires us to keep until {accounting_until}."
    ),
    "access": "Please remove our access to the following by {end_date}: {access}.",
    "credentials": {
        "one": "We will hand back the login that belongs to you: {credentials}.",
        "other": "We will hand back the logins that belong to you: {credentials}.",
    },
    # What is still due (D10), what falls due after the end, who we notify ourselves, who answers questions
    "deadline_item": "{work} (due {date})",
    "deadlines": {
        "one": "The following falls due after our last day; please make sure your new adviser takes care of it: {deadlines}.",
        "other": "The following fall due after our last day; please make sure your new adviser takes care of them: {deadlines}.",
    },
    "unpaid_item": "{number} ({amount}, due {date})",
    "unpaid": {
        "one": "Invoice {unpaid} remains payable.",
        "other": "Invoices {unpaid} remain payable, {total} in total.",
    },
    "third_parties": {
        "one": "By {end_date} we will notify the following of the end of our services and withdraw our authorisation there: {parties}.",
        "other": "By {end_date} we will notify the following of the end of our services and withdraw our authorisations there: {parties}.",
    },
    "handover_contact": "For practical questions about the handover, please contact {handler}.",
    "successor": "We will brief {successor} on the work done so that the transition is smooth.",
    "support": (
        "Should you need help after {end_date}, we can offer paid support until {support_until} for a fee of "
        "{support_fee}."
    ),
    # C10: referrals, or good wishes alone when the real reason is attitude. One firm is named in the
    # sentence; several follow it as a list.
    "referrals": {
        "one": "You may wish to contact {referral}, which we believe would serve you well.",
        "other": "You may wish to contact the following firms, which we believe would serve you well:",
    },
    "referral_item": "{name}, {contact}",
    "referral_inline": "{name} ({contact})",
    "good_wishes": "We wish you all the best.",
    # C9
    "thanks": "Thank you for the trust you have placed in us and for working with us.",
    "closing": "Kind regards,",
    # The date under the letterhead, and the PDF's file name as the client sees it (no internal words).
    # The reference line under the date, and the note shown above a letter the call has not yet preceded (C1)
    "reference": "Our reference: client no. {client_number}",
    "reference_agreement": "Our reference: client no. {client_number}, agreement of {agreement_date}",
    "not_told": "Not to be sent yet: the conversation with the client is not recorded on the case, so this letter does not refer to it.",
    "dateline": "{date}",
    "attachment_name": "{firm} end of services {date}",
    # -- the call script (C1, C5, C7, C8, C11, C12) -------------------------------------------
    "script_title": "Call with {contact}, {client}",
    "script_heading_opening": "Opening",
    "script_heading_decision": "The decision",
    "script_heading_reason": "The reason",
    "script_heading_reasons": "The documented reasons (optional)",
    "script_heading_next": "What happens next",
    "script_heading_pushback": "If the client pushes back",
    "script_heading_close": "Close",
    "script_opening": "Thank you for making the time to speak with me today. I would like to talk about our work together.",
    "script_decision": (
        "We have decided to end our services to {client}. Our last day of work for you will be {end_date}. "
        "This decision is final."
    ),
    "script_reasons_intro": "So that you have the full picture, these are the things we have recorded over recent months:",
    "script_next": (
        "We will finish the current work by {end_date}. Today I will send you everything in writing: the dates, "
        "the final invoice, how to receive your files, and when we delete our copies."
    ),
    "script_pushback": [
        ("Can we try again?", "I appreciate your input, but the decision is final."),
        ("What if we paid more?", "It is not a question of price. I appreciate the offer, but the decision is final."),
        (
            "What did we do wrong?",
            "It is a question of what we can offer. Another firm will serve you better.",
        ),
        ("Can you give us more time?", "Our work continues until {end_date}, and everything is in the letter."),
    ],
    "script_close": "Thank you again for working with us. You will have the letter today. I wish you every success.",
    # C7: documented reasons, stated as facts without blame
    "sign_W1": "documents and answers we needed often arrived close to or after their deadlines",
    "sign_W2": "many messages and calls came outside our working hours",
    "sign_W3": "requests often went to the partners rather than to the team member assigned to you",
    "sign_W4": "meetings were often cancelled at short notice, missed or started late",
    "sign_W5": "the same corrections were needed several times",
    "sign_W6": "our advice was often questioned, which suggests another adviser may suit you better",
    "sign_W7": "several invoices were paid after their due date",
    "sign_W8": "some terms of our agreement were not followed",
    "sign_W9": "prices were often renegotiated",
    "sign_W10": "our conversations have become difficult for both sides",
    "sign_W11": "the work no longer matches the time it needs",
    "sign_W12": "your needs now lie outside the services we focus on",
    "sign_W13": "the work requested has grown beyond the agreed scope",
    "sign_W14": "the information our work depends on was often not available on time",
    "sign_W15": "some exchanges have been difficult for members of our team",
    # -- the termination clause (N5) ----------------------------------------------------------
    "clause_title": "Termination",
    "clause_notice": (
        "Either party may end this agreement at any time by notifying the other party in writing without delay. "
        "The services end {notice} after the notice is received."
    ),
    "clause_replacement": (
        "On request, the Provider will make reasonable efforts to suggest a suitable replacement provider."
    ),
    "clause_refund": (
        "Fees paid in advance for services not yet performed will be refunded in proportion to the work done, "
        "measured as a reasonably accurate percentage of the agreed scope. Once the refund is paid, neither party "
        "has further obligations under this agreement, save for payment for work already done."
    ),
    "clause_credit": (
        "Fees paid in advance for services not yet performed will be credited to the Client in proportion to the "
        "work done, measured as a reasonably accurate percentage of the agreed scope. Once the credit is issued, "
        "neither party has further obligations under this agreement, save for payment for work already done."
    ),
    "clause_note": "Have a lawyer review this clause before you use it: it is a starting point, not legal advice.",
    "days": {"one": "{n} day", "other": "{n} days"},
}

# Words that negate what follows within three words: "not negotiable", "we will not reconsider" state
# that the decision is final (C5), so the checker lets them be (see parting.letters.tone).
NEGATORS = r"not|never|no|non|cannot|can't|won't|isn't|aren't|nor"

# The tone checker's words (C2, C3, C5, C6, C8): (rule, level, pattern, what to write instead).
# Patterns are regular expressions matched case-insensitively on whole words.
TONE = [
    ("C3", "error", r"your fault", ""),
    ("C3", "error", r"because of you", ""),
    ("C3", "error", r"you (?:have )?(?:failed|refused|ignored|never|always|constantly)", ""),
    ("C3", "error", r"you (?:keep|kept) \w+ing", ""),
    ("C3", "error", r"you (?:were|have been|are) (?:always |often |constantly |repeatedly )?late", ""),
    ("C3", "error", r"you (?:did not|didn't|do not|don't|never) (?:pay|deliver|respond|answer|send|reply)", ""),
    ("C3", "error", r"your (?:late payments?|failure|failures|mistakes?|behaviou?r|attitude|fault)", ""),
    ("C3", "error", r"you (?:shouted|yelled|insulted|threatened)", ""),
    ("C3", "error", r"you (?:paid|pay|are|were) (?:late|rude|difficult|unreasonable)", ""),
    ("C3", "error", r"blam(?:e|ed|ing)", ""),
    ("C6", "error", r"rude(?:ness)?|disrespect\w*|abusive|aggressive|insult\w*", "we cannot meet your needs"),
    (
        "C3",
        "error",
        r"unprofessional|unreasonable|difficult (?:client|person|to work with)|impossible to work with",
        "",
    ),
    (
        "C2",
        "error",
        r"unacceptable|ridiculous|stupid|frankly|obviously|fed up|good riddance|waste of (?:our )?time",
        "",
    ),
    ("C2", "error", r"(?:no longer )?(?:tolerate|put up with)", ""),
    ("C5", "error", r"maybe|perhaps|possibly", ""),
    ("C5", "error", r"for now|for the time being|at least for now|temporar(?:y|ily)", ""),
    ("C5", "error", r"unless", ""),
    ("C5", "error", r"reconsider|negotiabl\w*|negotiat\w*|open to discussion|(?:we|I) might|could change", "final"),
    ("C8", "error", r"break(?:ing)? up|break-up|breakup|tak(?:e|es|ing|en) a break", "end our services"),
    ("C8", "error", r"paus(?:e|es|ed|ing)|on hold", "end our services"),
    ("C4", "warning", r"to be honest|honestly|needless to say|as you (?:surely )?know", ""),
]
