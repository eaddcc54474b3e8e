"""Every rule id the product cites (W1–W15, D1–D12, C1–C12, N1–N5, O1–O9, A1–A2), with a title and a
short explanation, for the rules help page (issue 11). The same list, in English, is docs/rules.md; a
test keeps the two in step. Titles of the warning signs are the catalogue's own, so the help page and
the client page name a sign alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from parting.signs.catalogue import SIGNS


@dataclass(frozen=True)
class Rule:
    id: str
    title: object  # lazy translation
    text: object  # lazy translation


@dataclass(frozen=True)
class Family:
    letter: str
    title: object
    intro: object
    rules: tuple[Rule, ...]


_SIGN_TITLE = {sign.id: sign.title for sign in SIGNS}


# What every windowed sign shares, said once for the translators and added to each entry, so the entry
# a client page links to (``{% rule_ref "W4" %}``) carries the whole definition (issue 12).
_WINDOW = _(
    "The window is the current month and the eleven before it, up to today, unless your policy sets "
    "another length; the thresholds and the weight come from your policy."
)


def _sign(code: str, text, *, windowed: bool = True) -> Rule:
    return Rule(code, _SIGN_TITLE[code], format_lazy("{} {}", text, _WINDOW) if windowed else text)


FAMILIES: tuple[Family, ...] = (
    Family(
        "W",
        _("Warning signs"),
        _(
            "Behaviour that suggests a client may have to go. Each sign is measured from the evidence you "
            "record and gives part of the client's fit score."
        ),
        (
            _sign(
                "W1",
                _(
                    "Documents, answers or approvals the client owes you come late or at the last minute. "
                    "Measured over the requests due in the window: the average number of days each arrived after "
                    "its due date. One received by its due date counts 0; one still missing counts the days from "
                    "its due date to today."
                ),
            ),
            _sign(
                "W2",
                _(
                    "The client writes and calls outside your working hours and expects an answer at once. "
                    "Measured as the share of the client's messages to you sent outside the firm's working hours, "
                    "in the firm's time zone. Not judged until the firm's working hours are set."
                ),
            ),
            _sign(
                "W3",
                _(
                    "The client goes around the person who looks after them and insists on the owner or a "
                    "partner. Measured as the share of the client's messages to you sent to an owner or partner "
                    "instead of the assigned staff member."
                ),
            ),
            _sign(
                "W4",
                _(
                    "Meetings cancelled at short notice, missed or started late, as a habit. Measured over the "
                    "client's meetings whose start time has passed, leaving out those the firm cancelled: the share "
                    "the client cancelled less than 24 hours ahead, missed, or joined 10 minutes late or more."
                ),
            ),
            _sign(
                "W5",
                _(
                    "The client repeats the same mistakes and expects you to put them right each time. "
                    "The number of rework incidents recorded in the window."
                ),
            ),
            _sign(
                "W6",
                _(
                    "The client questions your advice at every step and might be better served elsewhere. "
                    "The number of incidents recorded in the window where your expertise was challenged."
                ),
            ),
            _sign(
                "W7",
                _(
                    "Late payment, payment only after reminders, a discount asked every time. Measured as the "
                    "share of the invoices due in the window that were paid after their due date or are still "
                    "unpaid after it. An invoice paid on its due date, or unpaid and due today, is not late."
                ),
            ),
            _sign(
                "W8",
                _(
                    "Agreed fees, payment dates or other terms are not kept. The number of contract incidents "
                    "recorded in the window plus the disputed invoices due in it."
                ),
            ),
            _sign(
                "W9",
                _(
                    "Every price becomes a negotiation for the lowest one. The number of invoices due in the "
                    "window on which a discount was asked plus the haggling incidents recorded in it."
                ),
            ),
            _sign(
                "W10",
                _(
                    "Conversations with the client are negative, time after time. Measured as the share of the "
                    "client's messages to you marked negative."
                ),
            ),
            _sign(
                "W11",
                _(
                    "The work or the revenue is too small for the time and trouble it takes. The revenue "
                    "invoiced in the window divided by all the hours logged in it, as a share of the firm's "
                    "target hourly rate: lower is worse, and the target itself or more is best. Not judged "
                    "without hours logged or a target rate."
                ),
            ),
            _sign(
                "W12",
                _(
                    "The firm has grown or narrowed its focus, and the client's work lies outside it. Measured "
                    "as the share of the client's services that lie outside the firm's focus (services have no "
                    "dates, so no window applies); judged once the firm has set its focus. The thresholds and the "
                    "weight come from your policy."
                ),
                windowed=False,
            ),
            _sign(
                "W13",
                _(
                    "The client expects extras for free and asks for more than they pay for (scope creep). "
                    "The hours lost on scope-creep incidents in the window as a share of all the hours logged for "
                    "the client in it. Not judged until hours are logged."
                ),
            ),
            _sign(
                "W14",
                _(
                    "What your work depends on from the client does not arrive on time. Measured as the share of "
                    "the requests due in the window that arrived after their due date or are still missing after "
                    "it. An item received on its due date, or missing and due today, is not late."
                ),
            ),
            _sign(
                "W15",
                _(
                    "The client is pushy, domineering or abusive towards your team. The number of incidents of "
                    "disrespect recorded in the window; a firm may make it a dealbreaker."
                ),
            ),
        ),
    ),
    Family(
        "D",
        _("Deciding"),
        _("How to reach a decision you can stand behind. A case checks these before it goes to review."),
        (
            Rule(
                "D1",
                _("Judge by the record"),
                _(
                    "Decide on what the client did, not on how difficult they feel: being demanding is rarely a "
                    "reason by itself, and a lost reputation is hard to win back. Scores come from evidence only."
                ),
            ),
            Rule(
                "D2",
                _("Manage expectations first"),
                _(
                    "When the trouble lies in what the client expects, first tell them plainly what you can and "
                    "will do. For signs about expectations, a case asks whether that talk has happened."
                ),
            ),
            Rule(
                "D3",
                _("Take your time"),
                _(
                    "Do not decide after one bad conversation. A case asks whether the evidence shows a pattern "
                    "over weeks rather than one incident."
                ),
            ),
            Rule(
                "D4",
                _("Make sure you are right"),
                _(
                    "Quietly ask partners or colleagues first: they may fix the problem, or want to keep the "
                    "client. A case is reviewed by an owner or partner, who may also take the client over."
                ),
            ),
            Rule(
                "D5",
                _("Weigh revenue against trouble"),
                _(
                    "Set what the client brings in against the time and trouble they cost. A case shows the "
                    "client's revenue and their share of the firm's."
                ),
            ),
            Rule(
                "D6",
                _("Look at who else may leave"),
                _(
                    "Clients who came through this one, or are linked to them, may follow them out. The client "
                    "page shows the referrals that came through each client."
                ),
            ),
            Rule(
                "D7",
                _("Write your dealbreakers down"),
                _(
                    "List the behaviours serious enough to end a relationship, so every client is judged against "
                    "the same list. They are kept on the Policy page and flagged apart from the score."
                ),
            ),
            Rule(
                "D8",
                _("Document at least three reasons"),
                _(
                    "Back the decision with records and at least three reasons. A case cannot go to review with "
                    "fewer, and each reason keeps the evidence it rests on."
                ),
            ),
            Rule(
                "D9",
                _("Do not raise prices to push a client out"),
                _("Some clients simply pay the higher price, and the problem stays. The case checks warn against it."),
            ),
            Rule(
                "D10",
                _("Be paid in full first"),
                _(
                    "Collect what the client owes before the relationship ends. A case shows the unpaid balance, "
                    "and the plan puts the final invoice before the end date."
                ),
            ),
            Rule(
                "D11",
                _("Stand by the decision"),
                _(
                    "Once you have decided, do not let the client talk you round, and do not change your mind "
                    "out of guilt. The call script prepares answers to pushback."
                ),
            ),
            Rule(
                "D12",
                _("Get advice if the client owns a stake"),
                _(
                    "If the client holds a share in your company, take professional advice before acting. A "
                    "case flags a client recorded as holding a stake."
                ),
            ),
        ),
    ),
    Family(
        "C",
        _("Telling the client"),
        _("How the decision is told, on the call and in the letter. The letter's tone checker cites these."),
        (
            Rule(
                "C1",
                _("Talk first, then write"),
                _(
                    "Tell the client on a call or in a meeting, then confirm it in writing; a letter on its own "
                    "only when you choose so. The checklist plans the conversation before the letter."
                ),
            ),
            Rule(
                "C2",
                _("Stay calm and professional"),
                _("Keep a courteous tone even if the client did not. The tone checker flags unfriendly words."),
            ),
            Rule(
                "C3",
                _("Do not blame"),
                _("No accusations and no criticism of the client. The tone checker flags wording that blames."),
            ),
            Rule(
                "C4",
                _("Clear and brief"),
                _(
                    "Facts rather than opinions, what happens next, and no long justification. The tone checker "
                    "flags a letter that runs long or over-explains."
                ),
            ),
            Rule(
                "C5",
                _("The decision is final"),
                _(
                    "Say plainly that the decision is not open to discussion; if the client pushes back, listen "
                    "and repeat it without arguing. The tone checker flags wording that invites negotiation."
                ),
            ),
            Rule(
                "C6",
                _("A general, positive reason"),
                _(
                    "Give the reason in broad, positive terms (a new focus, a full workload, not the right fit) "
                    "rather than a list of faults. If staff were mistreated, say you cannot meet the client's needs."
                ),
            ),
            Rule(
                "C7",
                _("Honest, not accusing"),
                _(
                    "The conversation may go through the documented reasons so the client can learn from them; "
                    "the letter keeps to the general reason. Blame is never put in writing."
                ),
            ),
            Rule(
                "C8",
                _("No “break up” or “pause”"),
                _("These words do not belong in a conversation with a client. The tone checker flags them."),
            ),
            Rule(
                "C9",
                _("Say thank you"),
                _("Thank the client for the work you did together. Every letter does."),
            ),
            Rule(
                "C10",
                _("Offer referrals, unless the reason is attitude"),
                _(
                    "Suggest a few other providers you have checked, from the firm's directory. When the reason "
                    "is the client's behaviour, leave referrals out and only wish them well."
                ),
            ),
            Rule(
                "C11",
                _("Prepare what you will say"),
                _("Write the conversation down and rehearse it. Each case has a call script."),
            ),
            Rule(
                "C12",
                _("Keep it short"),
                _("End the conversation once nothing is left to say; the same goes for the letter."),
            ),
        ),
    ),
    Family(
        "N",
        _("Notice, contract and money"),
        _("How the end date, the final invoice and any refund are worked out in a case's plan."),
        (
            Rule(
                "N1",
                _("Give fair notice"),
                _(
                    "Tell the client that service ends on a given date, with fair notice. The plan works out "
                    "the notice and end dates."
                ),
            ),
            Rule(
                "N2",
                _("Finish the work under way"),
                _(
                    "Complete current work first. For a long engagement about two weeks' notice is enough; for "
                    "small repeat orders, end after the current one. The plan uses the contract's notice."
                ),
            ),
            Rule(
                "N3",
                _("Honour the contract"),
                _(
                    "Keep up the same service until the contract runs out. A fixed term is kept to its end "
                    "unless it is ended early with a refund."
                ),
            ),
            Rule(
                "N4",
                _("Refund what was not delivered"),
                _(
                    "If you cannot complete the contract, refund all or part of the fee according to the work "
                    "done; the refund settles what you owe. The plan computes it."
                ),
            ),
            Rule(
                "N5",
                _("Put a termination clause in new contracts"),
                _(
                    "Agree in advance how the work may end: prompt notice, perhaps help finding a replacement, "
                    "and a refund by the share of work done. Parting offers such a clause; have a lawyer read it."
                ),
            ),
        ),
    ),
    Family(
        "O",
        _("Offboarding in writing"),
        _("What the client is told in writing and what the checklist covers once the decision is made."),
        (
            Rule("O1", _("The end date"), _("State the day service ends. The letter and the checklist carry it.")),
            Rule(
                "O2",
                _("Access handed back"),
                _(
                    "The client removes your access to their systems and subscriptions (payroll, bank, apps). "
                    "The checklist has one task for each access you hold."
                ),
            ),
            Rule(
                "O3",
                _("What you did for them"),
                _("A short, high-level list of the services you provided, not a manual for providing them."),
            ),
            Rule(
                "O4",
                _("The client's files"),
                _(
                    "Offer all of the client's files and documents for download, and hand over the files and "
                    "passwords that belong to them."
                ),
            ),
            Rule(
                "O5",
                _("When records are deleted"),
                _(
                    "Tell the client the date when every copy of their records will be deleted; thirty days is a "
                    "sensible default. The plan sets the date and the letter names it."
                ),
            ),
            Rule(
                "O6",
                _("Paid support, if you offer it"),
                _("Optionally, a short period of support for a fee. The plan and the letter include it when chosen."),
            ),
            Rule(
                "O7",
                _("Help the handover"),
                _(
                    "Suggest tools for the meantime, help choose a replacement and brief the successor on the "
                    "work done. The checklist has a task for the briefing."
                ),
            ),
            Rule(
                "O8",
                _("Then you owe nothing more"),
                _(
                    "After the end date contact may stop. Mail that still arrives from a former client is shown "
                    "apart, and the checklist ends with cutting contact."
                ),
            ),
            Rule(
                "O9",
                _("Everything in writing"),
                _(
                    "Put every arrangement in writing, so a question such as “when does service end?” can be "
                    "answered at once."
                ),
            ),
        ),
    ),
    Family(
        "A",
        _("Afterwards"),
        _("What parting ways gave back."),
        (
            Rule(
                "A1",
                _("See what it gave back"),
                _(
                    "Time for the right clients, room for new ones, less last-minute stress and fewer bad reviews. "
                    "The Partings page shows the hours freed, the revenue given up and the hourly rate before and "
                    "after."
                ),
            ),
            Rule(
                "A2",
                _("Reward yourself"),
                _("It was hard work: mark the moment. The Partings page says so too."),
            ),
        ),
    ),
)

RULE_IDS: tuple[str, ...] = tuple(rule.id for family in FAMILIES for rule in family.rules)
