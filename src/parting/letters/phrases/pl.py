"""Polish: the letter, the call script and the termination clause as a Polish accountant, consultant or lawyer would
write them — formal, calm, brief. The salutation is the business-letter „Szanowny Panie,” / „Szanowna Pani,” and,
for the neutral form, „Szanowni Państwo,” (the usual address of a company or of a contact whose gender is unknown);
Polish puts neither the surname nor an abbreviated title into the vocative („Szanowny Panie Kowalski” and „Szanowny
Panie dr.” are errors, the correct „Panie Doktorze” / „Pani Profesor” needs the title as a word, which a free-text
honorific cannot give), so ``salutation_titled`` keeps the same correct forms. After a salutation ending in a comma
the letter goes on in lower case, as Polish letters do, and the closing „Z poważaniem” takes no comma. The contact
is addressed as Pan / Pani / Państwo with the matching verb forms, so every key that addresses the contact is a dict
by form of address, the script included; the sender's own gender is unknown, so no phrase uses a
first-person-singular past tense or conditional („napisałem”, „chciałabym”): present and future tenses, or the
firm's „my”. Names arrive in the nominative and Polish would otherwise decline them, so they stand where the
nominative is right: as a subject, after a generic noun („na rzecz firmy {client}”), after a colon or in a list, and
never at the end of a sentence (a name may end in „sp. z o.o.”). A formatted date has no „r.”, so the templates add
it („1 grudnia 2026 r.”), except in the spoken script. ``days`` uses the four CLDR categories in the nominative,
which the clause needs („Okres wypowiedzenia wynosi 1 dzień / 2 dni / 5 dni / 1,5 dnia”). In the tone checker,
„może” („can”), „szczerze” („sincerely”), „oczywiście”, „ewentualnych”, „przemyślana”, „obraz” and „bez przerwy” are
ordinary words and are not flagged; only the phrases that make them „maybe”, „to be honest”, an insult or a pause
are.
"""

T = {
    # -- the letter ---------------------------------------------------------------------------
    "subject": "Zakończenie świadczenia usług z dniem {end_date} r.",
    "salutation": {"masculine": "Szanowny Panie,", "feminine": "Szanowna Pani,", "neutral": "Szanowni Państwo,"},
    # No title in the vocative: see the docstring.
    "salutation_titled": {
        "masculine": "Szanowny Panie,",
        "feminine": "Szanowna Pani,",
        "neutral": "Szanowni Państwo,",
    },
    # C1, C5: after the call (default) or as the only notice (the user's explicit choice)
    "decision_after_call": {
        "masculine": (
            "nawiązując do naszej rozmowy z {notice_date} r., potwierdzam, że {firm} zakończy świadczenie usług na "
            "rzecz firmy {client}, a ostatnim dniem naszej pracy dla Pana będzie {end_date} r. Decyzja ta jest "
            "ostateczna."
        ),
        "feminine": (
            "nawiązując do naszej rozmowy z {notice_date} r., potwierdzam, że {firm} zakończy świadczenie usług na "
            "rzecz firmy {client}, a ostatnim dniem naszej pracy dla Pani będzie {end_date} r. Decyzja ta jest "
            "ostateczna."
        ),
        "neutral": (
            "nawiązując do naszej rozmowy z {notice_date} r., potwierdzam, że {firm} zakończy świadczenie usług na "
            "rzecz firmy {client}, a ostatnim dniem naszej pracy dla Państwa będzie {end_date} r. Decyzja ta jest "
            "ostateczna."
        ),
    },
    "decision_letter_only": {
        "masculine": (
            "uprzejmie informuję, że {firm} zakończy świadczenie usług na rzecz firmy {client}, a ostatnim dniem "
            "naszej pracy dla Pana będzie {end_date} r. Decyzja ta jest ostateczna."
        ),
        "feminine": (
            "uprzejmie informuję, że {firm} zakończy świadczenie usług na rzecz firmy {client}, a ostatnim dniem "
            "naszej pracy dla Pani będzie {end_date} r. Decyzja ta jest ostateczna."
        ),
        "neutral": (
            "uprzejmie informuję, że {firm} zakończy świadczenie usług na rzecz firmy {client}, a ostatnim dniem "
            "naszej pracy dla Państwa będzie {end_date} r. Decyzja ta jest ostateczna."
        ),
    },
    # C6: general and positive, never blame
    "reason_capacity": (
        "Nasza firma bardzo szybko się rozwinęła i nie jesteśmy już w stanie zapewnić wszystkim klientom obsługi "
        "na poziomie, jakiego sami od siebie oczekujemy."
    ),
    "reason_focus": "Skupiamy naszą działalność na węższym zakresie usług i rozwijamy ją w nowym kierunku.",
    "reason_time": {
        "masculine": "Nie jesteśmy w stanie poświęcić Panu tyle czasu, ile Pan od nas oczekuje.",
        "feminine": "Nie jesteśmy w stanie poświęcić Pani tyle czasu, ile Pani od nas oczekuje.",
        "neutral": "Nie jesteśmy w stanie poświęcić Państwu tyle czasu, ile Państwo od nas oczekują.",
    },
    "reason_fit": {
        "masculine": "Jesteśmy przekonani, że inna firma lepiej odpowie na Pana potrzeby.",
        "feminine": "Jesteśmy przekonani, że inna firma lepiej odpowie na Pani potrzeby.",
        "neutral": "Jesteśmy przekonani, że inna firma lepiej odpowie na Państwa potrzeby.",
    },
    "reason_general": {
        "masculine": "Po starannym namyśle doszliśmy do wniosku, że inna firma lepiej zadba o Pana sprawy.",
        "feminine": "Po starannym namyśle doszliśmy do wniosku, że inna firma lepiej zadba o Pani sprawy.",
        "neutral": "Po starannym namyśle doszliśmy do wniosku, że inna firma lepiej zadba o Państwa sprawy.",
    },
    # O1–O6, O9: what happens next
    "next_intro": "Poniżej przedstawiamy dalsze kroki:",
    "work": {
        "one": "Przed tym terminem zakończymy pracę w toku: {work}.",
        "other": "Przed tym terminem zakończymy prace w toku: {work}.",
    },
    "final_invoice": {
        "masculine": "Otrzyma Pan od nas fakturę końcową na kwotę {amount} za prace wykonane do {end_date} r.",
        "feminine": "Otrzyma Pani od nas fakturę końcową na kwotę {amount} za prace wykonane do {end_date} r.",
        "neutral": "Otrzymają Państwo od nas fakturę końcową na kwotę {amount} za prace wykonane do {end_date} r.",
    },
    "final_invoice_estimate": {
        "masculine": "Otrzyma Pan od nas fakturę końcową za prace wykonane do {end_date} r.; według naszych szacunków "
        "wyniesie ona {amount}.",
        "feminine": "Otrzyma Pani od nas fakturę końcową za prace wykonane do {end_date} r.; według naszych szacunków "
        "wyniesie ona {amount}.",
        "neutral": "Otrzymają Państwo od nas fakturę końcową za prace wykonane do {end_date} r.; według naszych "
        "szacunków wyniesie ona {amount}.",
    },
    "refund": "Zwrócimy kwotę {amount}, czyli przedpłaconą część wynagrodzenia za prace, które nie zostaną wykonane.",
    "credit": (
        "Wystawimy fakturę korygującą na kwotę {amount}, obejmującą przedpłaconą część wynagrodzenia za prace, "
        "które nie zostaną wykonane."
    ),
    "files": {
        "masculine": (
            "Do {files_by} r. przekażemy Panu wszystkie należące do Pana pliki i dokumenty, a do {deletion_date} r. "
            "może Pan zwrócić się do nas o ich kopie."
        ),
        "feminine": (
            "Do {files_by} r. przekażemy Pani wszystkie należące do Pani pliki i dokumenty, a do {deletion_date} r. "
            "może Pani zwrócić się do nas o ich kopie."
        ),
        "neutral": (
            "Do {files_by} r. przekażemy Państwu wszystkie należące do Państwa pliki i dokumenty, a do "
            "{deletion_date} r. mogą Państwo zwrócić się do nas o ich kopie."
        ),
    },
    "deletion": {
        "masculine": (
            "W dniu {deletion_date} r. usuniemy wszystkie przechowywane przez nas kopie Pana dokumentów i danych, "
            "z wyjątkiem dokumentacji księgowej, którą zgodnie z przepisami musimy przechowywać do "
            "{accounting_until} r."
        ),
        "feminine": (
            "W dniu {deletion_date} r. usuniemy wszystkie przechowywane przez nas kopie Pani dokumentów i danych, "
            "z wyjątkiem dokumentacji księgowej, którą zgodnie z przepisami musimy przechowywać do "
            "{accounting_until} r."
        ),
        "neutral": (
            "W dniu {deletion_date} r. usuniemy wszystkie przechowywane przez nas kopie Państwa dokumentów i "
            "danych, z wyjątkiem dokumentacji księgowej, którą zgodnie z przepisami musimy przechowywać do "
            "{accounting_until} r."
        ),
    },
    "access": {
        "one": "Prosimy o odebranie nam do {end_date} r. dostępu do następującego systemu: {access}.",
        "other": "Prosimy o odebranie nam do {end_date} r. dostępu do następujących systemów: {access}.",
    },
    "credentials": {
        "one": {
            "masculine": "Zwrócimy Panu dane logowania do należącego do Pana konta: {credentials}.",
            "feminine": "Zwrócimy Pani dane logowania do należącego do Pani konta: {credentials}.",
            "neutral": "Zwrócimy Państwu dane logowania do należącego do Państwa konta: {credentials}.",
        },
        "other": {
            "masculine": "Zwrócimy Panu dane logowania do należących do Pana kont: {credentials}.",
            "feminine": "Zwrócimy Pani dane logowania do należących do Pani kont: {credentials}.",
            "neutral": "Zwrócimy Państwu dane logowania do należących do Państwa kont: {credentials}.",
        },
    },
    # What is still due (D10), what falls due after the end, who we notify ourselves, who answers questions
    "deadline_item": "{work} (termin: {date} r.)",
    "deadlines": {
        "one": "Termin następującej sprawy przypada już po zakończeniu naszej współpracy; prosimy zadbać o to, by zajął się nią nowy doradca: {deadlines}.",
        "other": "Terminy następujących spraw przypadają już po zakończeniu naszej współpracy; prosimy zadbać o to, by zajął się nimi nowy doradca: {deadlines}.",
    },
    "unpaid_item": "nr {number} ({amount}, termin płatności: {date} r.)",
    "unpaid": {
        "one": "Do zapłaty pozostaje faktura {unpaid}.",
        "other": "Do zapłaty pozostają faktury {unpaid}, łącznie {total}.",
    },
    "third_parties": {
        "one": "Do {end_date} r. zawiadomimy o zakończeniu współpracy następującą instytucję i wycofamy nasze pełnomocnictwo: {parties}.",
        "other": "Do {end_date} r. zawiadomimy o zakończeniu współpracy następujące instytucje i wycofamy nasze pełnomocnictwa: {parties}.",
    },
    "handover_contact": "W sprawach praktycznych związanych z przekazaniem dokumentacji prosimy o kontakt: {handler}.",
    "successor": (
        "Aby przejęcie obsługi przebiegło sprawnie, {successor} otrzyma od nas omówienie dotychczas wykonanych prac."
    ),
    "support": {
        "masculine": (
            "Gdyby po {end_date} r. potrzebował Pan pomocy, możemy zaoferować płatne wsparcie do {support_until} r. "
            "za opłatą {support_fee}."
        ),
        "feminine": (
            "Gdyby po {end_date} r. potrzebowała Pani pomocy, możemy zaoferować płatne wsparcie do "
            "{support_until} r. za opłatą {support_fee}."
        ),
        "neutral": (
            "Gdyby po {end_date} r. potrzebowali Państwo pomocy, możemy zaoferować płatne wsparcie do "
            "{support_until} r. za opłatą {support_fee}."
        ),
    },
    # C10: referrals, or good wishes alone when the real reason is attitude
    "referrals": {
        "one": {
            "masculine": "Polecamy kontakt z firmą {referral}, która naszym zdaniem zapewni Panu dobrą obsługę.",
            "feminine": "Polecamy kontakt z firmą {referral}, która naszym zdaniem zapewni Pani dobrą obsługę.",
            "neutral": "Polecamy kontakt z firmą {referral}, która naszym zdaniem zapewni Państwu dobrą obsługę.",
        },
        "other": {
            "masculine": "Polecamy kontakt z następującymi firmami, które naszym zdaniem zapewnią Panu dobrą obsługę:",
            "feminine": "Polecamy kontakt z następującymi firmami, które naszym zdaniem zapewnią Pani dobrą obsługę:",
            "neutral": (
                "Polecamy kontakt z następującymi firmami, które naszym zdaniem zapewnią Państwu dobrą obsługę:"
            ),
        },
    },
    "referral_item": "{name}, {contact}",
    "referral_inline": "{name} ({contact})",
    "good_wishes": {
        "masculine": "Życzymy Panu wszystkiego najlepszego.",
        "feminine": "Życzymy Pani wszystkiego najlepszego.",
        "neutral": "Życzymy Państwu wszystkiego najlepszego.",
    },
    # C9
    "thanks": {
        "masculine": "Dziękujemy za zaufanie, którym nas Pan obdarzył, i za dotychczasową współpracę.",
        "feminine": "Dziękujemy za zaufanie, którym nas Pani obdarzyła, i za dotychczasową współpracę.",
        "neutral": "Dziękujemy za zaufanie, którym nas Państwo obdarzyli, i za dotychczasową współpracę.",
    },
    "closing": "Z poważaniem",  # no comma after the closing in Polish
    # The header date as Polish business letters write it, like every date in the body: „3 grudnia 2026 r.”
    # The reference line under the date, and the note shown above a letter the call has not yet preceded (C1)
    "reference": "Nasz znak: klient nr {client_number}",
    "reference_agreement": "Nasz znak: klient nr {client_number}, umowa z dnia {agreement_date} r.",
    "not_told": "Nie wysyłać: rozmowa z klientem nie została jeszcze odnotowana w sprawie, dlatego pismo się na nią nie powołuje.",
    "dateline": "{date} r.",
    "attachment_name": "{firm} zakończenie świadczenia usług {date}",
    # -- the call script (C1, C5, C7, C8, C11, C12) -------------------------------------------
    "script_title": "Rozmowa: {contact}, {client}",
    "script_heading_opening": "Początek rozmowy",
    "script_heading_decision": "Decyzja",
    "script_heading_reason": "Powód",
    "script_heading_reasons": "Udokumentowane powody (w razie potrzeby)",
    "script_heading_next": "Co dalej",
    "script_heading_pushback": "Jeśli klient oponuje",
    "script_heading_close": "Zakończenie",
    "script_opening": {
        "masculine": "Dziękuję, że znalazł Pan dziś czas na rozmowę. Chcę porozmawiać o naszej współpracy.",
        "feminine": "Dziękuję, że znalazła Pani dziś czas na rozmowę. Chcę porozmawiać o naszej współpracy.",
        "neutral": "Dziękuję, że znaleźli Państwo dziś czas na rozmowę. Chcę porozmawiać o naszej współpracy.",
    },
    "script_decision": {
        "masculine": (
            "Podjęliśmy decyzję o zakończeniu świadczenia usług na rzecz firmy {client}, a ostatnim dniem naszej "
            "pracy dla Pana będzie {end_date}. Decyzja ta jest ostateczna."
        ),
        "feminine": (
            "Podjęliśmy decyzję o zakończeniu świadczenia usług na rzecz firmy {client}, a ostatnim dniem naszej "
            "pracy dla Pani będzie {end_date}. Decyzja ta jest ostateczna."
        ),
        "neutral": (
            "Podjęliśmy decyzję o zakończeniu świadczenia usług na rzecz firmy {client}, a ostatnim dniem naszej "
            "pracy dla Państwa będzie {end_date}. Decyzja ta jest ostateczna."
        ),
    },
    "script_reasons_intro": {
        "masculine": "Aby miał Pan pełny obraz sytuacji, powiem, co odnotowaliśmy w ostatnich miesiącach:",
        "feminine": "Aby miała Pani pełny obraz sytuacji, powiem, co odnotowaliśmy w ostatnich miesiącach:",
        "neutral": "Aby mieli Państwo pełny obraz sytuacji, powiem, co odnotowaliśmy w ostatnich miesiącach:",
    },
    "script_next": {
        "masculine": (
            "Bieżące prace zakończymy do {end_date}. Jeszcze dziś prześlę Panu wszystko na piśmie: terminy, "
            "fakturę końcową, sposób przekazania plików i datę usunięcia naszych kopii."
        ),
        "feminine": (
            "Bieżące prace zakończymy do {end_date}. Jeszcze dziś prześlę Pani wszystko na piśmie: terminy, "
            "fakturę końcową, sposób przekazania plików i datę usunięcia naszych kopii."
        ),
        "neutral": (
            "Bieżące prace zakończymy do {end_date}. Jeszcze dziś prześlę Państwu wszystko na piśmie: terminy, "
            "fakturę końcową, sposób przekazania plików i datę usunięcia naszych kopii."
        ),
    },
    # One list for every form of address: the client speaks for the company („my”), so the replies use
    # „Państwo” or no address at all.
    # The answers address the contact as the rest of the script does (Pan / Pani / Państwo).
    "script_pushback": {
        "masculine": [
            ("Czy możemy spróbować jeszcze raz?", "Dziękuję za te słowa, ale decyzja jest ostateczna."),
            (
                "A gdybyśmy płacili więcej?",
                "To nie jest kwestia ceny. Dziękuję za propozycję, ale decyzja jest ostateczna.",
            ),
            (
                "Co zrobiliśmy nie tak?",
                "Chodzi o to, co możemy zaoferować, a nie o szukanie winnych. Inna firma lepiej zadba o Pana potrzeby.",
            ),
            (
                "Czy możecie dać nam więcej czasu?",
                "Pracujemy dla Pana do {end_date}, a wszystkie ustalenia znajdą się w piśmie.",
            ),
        ],
        "feminine": [
            ("Czy możemy spróbować jeszcze raz?", "Dziękuję za te słowa, ale decyzja jest ostateczna."),
            (
                "A gdybyśmy płacili więcej?",
                "To nie jest kwestia ceny. Dziękuję za propozycję, ale decyzja jest ostateczna.",
            ),
            (
                "Co zrobiliśmy nie tak?",
                "Chodzi o to, co możemy zaoferować, a nie o szukanie winnych. Inna firma lepiej zadba o Pani potrzeby.",
            ),
            (
                "Czy możecie dać nam więcej czasu?",
                "Pracujemy dla Pani do {end_date}, a wszystkie ustalenia znajdą się w piśmie.",
            ),
        ],
        "neutral": [
            ("Czy możemy spróbować jeszcze raz?", "Dziękuję za te słowa, ale decyzja jest ostateczna."),
            (
                "A gdybyśmy płacili więcej?",
                "To nie jest kwestia ceny. Dziękuję za propozycję, ale decyzja jest ostateczna.",
            ),
            (
                "Co zrobiliśmy nie tak?",
                "Chodzi o to, co możemy zaoferować, a nie o szukanie winnych. Inna firma lepiej zadba o Państwa "
                "potrzeby.",
            ),
            (
                "Czy możecie dać nam więcej czasu?",
                "Pracujemy dla Państwa do {end_date}, a wszystkie ustalenia znajdą się w piśmie.",
            ),
        ],
    },
    "script_close": {
        "masculine": "Raz jeszcze dziękuję za współpracę. Pismo otrzyma Pan dzisiaj. Życzę Panu wielu sukcesów.",
        "feminine": "Raz jeszcze dziękuję za współpracę. Pismo otrzyma Pani dzisiaj. Życzę Pani wielu sukcesów.",
        "neutral": "Raz jeszcze dziękuję za współpracę. Pismo otrzymają Państwo dzisiaj. Życzę Państwu wielu sukcesów.",
    },
    # C7: documented reasons, stated as facts without blame
    "sign_W1": "dokumenty i odpowiedzi, których potrzebowaliśmy, często docierały tuż przed terminem lub po nim",
    "sign_W2": "wiele wiadomości i telefonów przychodziło poza naszymi godzinami pracy",
    "sign_W3": "prośby często trafiały do partnerów, a nie do osoby z zespołu wyznaczonej do współpracy",
    "sign_W4": "spotkania często były odwoływane w ostatniej chwili, nie dochodziły do skutku lub zaczynały się "
    "z opóźnieniem",
    "sign_W5": "te same poprawki trzeba było wprowadzać kilka razy",
    "sign_W6": "nasze rekomendacje często budziły wątpliwości, co wskazuje, że lepszym wyborem byłby inny doradca",
    "sign_W7": "kilka faktur zostało opłaconych po terminie płatności",
    "sign_W8": "niektóre postanowienia naszej umowy nie były przestrzegane",
    "sign_W9": "często wracaliśmy do ustaleń dotyczących cen",
    "sign_W10": "nasze rozmowy stały się trudne dla obu stron",
    "sign_W11": "nakład czasu przestał być współmierny do zakresu prac",
    "sign_W12": {
        "masculine": "Pana potrzeby wykraczają obecnie poza usługi, na których się koncentrujemy",
        "feminine": "Pani potrzeby wykraczają obecnie poza usługi, na których się koncentrujemy",
        "neutral": "Państwa potrzeby wykraczają obecnie poza usługi, na których się koncentrujemy",
    },
    "sign_W13": "zlecane prace wykroczyły poza uzgodniony zakres",
    "sign_W14": "informacje, od których zależy nasza praca, często nie były dostępne na czas",
    "sign_W15": "niektóre rozmowy były trudne dla członków naszego zespołu",
    # -- the termination clause (N5) ----------------------------------------------------------
    "clause_title": "Rozwiązanie umowy",
    "clause_notice": (
        "Każda ze Stron może w każdym czasie wypowiedzieć niniejszą umowę, niezwłocznie zawiadamiając o tym drugą "
        "Stronę na piśmie. Okres wypowiedzenia wynosi {notice}, licząc od dnia doręczenia zawiadomienia; z jego "
        "upływem Usługodawca zaprzestaje świadczenia usług."
    ),
    "clause_replacement": (
        "Na wniosek Zleceniodawcy Usługodawca dołoży należytych starań, aby wskazać inny odpowiedni podmiot, który "
        "mógłby przejąć świadczenie usług."
    ),
    "clause_refund": (
        "Wynagrodzenie zapłacone z góry za usługi, które nie zostały jeszcze wykonane, podlega zwrotowi "
        "proporcjonalnie do niewykonanej części prac, określonej z rozsądną dokładnością jako procent uzgodnionego "
        "zakresu. Po dokonaniu zwrotu Strony nie mają wobec siebie dalszych zobowiązań wynikających z niniejszej "
        "umowy, z wyjątkiem zapłaty wynagrodzenia za prace już wykonane."
    ),
    "clause_credit": (
        "Wynagrodzenie zapłacone z góry za usługi, które nie zostały jeszcze wykonane, zostanie zaliczone na rzecz "
        "Zleceniodawcy w drodze korekty faktury, proporcjonalnie do niewykonanej części prac, określonej z rozsądną "
        "dokładnością jako procent uzgodnionego zakresu. Po wystawieniu korekty Strony nie mają wobec siebie "
        "dalszych zobowiązań wynikających z niniejszej umowy, z wyjątkiem zapłaty wynagrodzenia za prace już "
        "wykonane."
    ),
    "clause_note": "Przed użyciem tej klauzuli zalecamy jej weryfikację przez prawnika: to punkt wyjścia, a nie "
    "porada prawna.",
    "days": {"one": "{n} dzień", "few": "{n} dni", "many": "{n} dni", "other": "{n} dnia"},
}

# The tone checker's words (C2, C3, C4, C5, C6, C8): (rule, level, pattern, what to write instead).
# Patterns are regular expressions matched case-insensitively on whole words; Polish inflects, so stems
# carry \w* or the forms are listed. Ordinary words that only look alike („może” = „can”, „szczerze
# dziękujemy”, „ewentualnych pytań”, „decyzja przemyślana”, „pełny obraz”, „bez przerwy”) stay unflagged.
_YOU = r"(?:Pan|Pani|Państwo|ty|wy)"
_ALWAYS = r"(?:zawsze|nigdy|ciągle|stale|wciąż|notorycznie|nieustannie|bez przerwy|bez końca)"
_FAILED = (
    r"(?:zignorował\w*|ignoruj\w*|ignorował\w*|odmówił\w*|odmawia\w*|zawiódł|zawiodła|zawiedli|zawodzi\w*|"
    r"nie dotrzymał\w*|nie dotrzymuj\w*|nie wywiązał\w*|nie wywiązuj\w*|nie zapłacił\w*|nie płaci\w*|"
    r"nie przestrzega\w*|nie odpisuj\w*|nie odpisał\w*|spóźnia\w*|spóźnił\w*|spóźniali\w*)"
)

TONE = [
    # C3: fault and blame
    (
        "C3",
        "error",
        r"(?:z )?(?:Pana|Pani|Państwa|Pańsk\w*|twoj\w*|wasz\w*) win(?:a|y|ą|ę|ie)|z winy"
        r"|win(?:ę|a) (?:leży|ponos\w*)|ponos\w* (?:\w+ )?win(?:ę|a)",
        "",
    ),
    (
        "C3",
        "error",
        r"(?:to )?przez (?:ciebie|was)|to przez (?:Pana|Panią|Państwa)|z (?:Pana|Pani|Państwa|Pańskiego|twojego"
        r"|waszego) powodu|z powodu (?:Pana|Pani|Państwa|ciebie|was)",
        "",
    ),
    ("C3", "error", rf"{_YOU} (?:\w+ )?{_ALWAYS}|{_ALWAYS} (?:\w+ )?(?:się|nie) (?:\w+ )?(?:Pan|Pani|Państwo)", ""),
    ("C3", "error", rf"{_YOU} (?:\w+ )?{_FAILED}|{_FAILED} (?:się )?{_YOU}", ""),
    (
        "C3",
        "error",
        r"(?:ob)?wini(?:ć|ę|sz|my|cie|ą|ł|ła|li|ać|am|amy|acie|ają|ano|any|ona|eni|enie|enia)?|winn(?:y|a|i|ym)|winien",
        "",
    ),
    # C6: the real reason is the client's behaviour towards the team; write the general reason instead
    (
        "C6",
        "error",
        r"niegrzeczn\w*|nieuprzejm\w*|chamsk\w*|chamstw\w*|arogan\w*|agresywn\w*|agresj\w*|napastliw\w*"
        r"|nachaln\w*|apodyktyczn\w*|wulgarn\w*|obraźliw\w*|obraża\w*|obraził\w*|obrazić|obrażeni\w*|obelg\w*"
        r"|znieważ\w*|zastrasza\w*|poniża\w*|lekceważ\w*|brak\w* szacunku|bez szacunku|nie szanuj\w*"
        r"|nie szanował\w*|krzycz\w*|wrzeszcz\w*",
        "nie jesteśmy w stanie odpowiedzieć na Państwa potrzeby",
    ),
    # C3: negative descriptions of the client
    (
        "C3",
        "error",
        r"nieprofesjonaln\w*|nierozsądn\w*|roszczeniow\w*|niekompetent\w*|nierzeteln\w*|niesłown\w*"
        r"|nieodpowiedzialn\w*|uciążliw\w*"
        r"|(?:(?:trudn|ciężk|problematyczn|kłopotliw|wymagając)\w*|zł(?:y|ym|ego|a|ą|i))"
        r" (?:klient\w*|osob(?:a|ą|y|ę|ie|om|ami)|człowiek\w*|rozmówc\w*)"
        r"|(?:trudn|ciężk|niemożliw)\w* (?:we|do|w) (?:współpracy|kontakcie|obsłudze)"
        r"|(?:nie da|nie dało|trudno) się (?:z (?:Panem|Panią|Państwem) )?(?:współpracować|pracować)"
        r"|nie sposób (?:z (?:Panem|Panią|Państwem) )?(?:współpracować|pracować)"
        r"|(?:Pana|Pani|Państwa|Pańsk\w*) (?:zachowani\w*|nastawieni\w*)",
        "",
    ),
    # C2: unfriendly words
    (
        "C2",
        "error",
        r"niedopuszczaln\w*|nie do przyjęcia|skandaliczn\w*|absurd\w*|śmieszn\w*|głup\w*|idiotyczn\w*"
        r"|mówiąc wprost|bez ogródek|bez owijania w bawełnę|mamy (?:już )?dość|mam (?:już )?dość|dość tego"
        r"|miarka się przebrała|krzyżyk na drogę|bez żalu|nie życzymy sobie"
        r"|strat\w* (?:naszego )?czasu|marnowa\w* (?:naszego )?czasu|szkoda (?:naszego )?czasu",
        "",
    ),
    ("C2", "error", r"tolerowa\w*|toleruj\w*|znosi(?:ć|my|liśmy)|ścierpie\w*|(?:dłużej )?nie zniesiemy", ""),
    # C5: not final, open to negotiation
    ("C5", "error", r"chyba,? że|o ile nie|pod warunkiem", ""),
    (
        "C5",
        "error",
        r"być może|może (?:jednak|kiedyś|uda się|da się|spróbujemy|wrócimy|porozmawiamy|znajdziemy)"
        r"|(?:^|(?<=\n)|(?<=[.!?]\s))może (?:w przyszłości|później|za jakiś czas)"
        r"|a może|możliwe,? że|niewykluczone|ewentualnie|prawdopodobnie|chyba|kto wie",
        "",
    ),
    (
        "C5",
        "error",
        r"na razie|póki co|na chwilę obecną|na obecną chwilę|na ten moment|na jakiś czas|na pewien czas"
        r"|do odwołania|tymczasow\w*|chwilow\w*|czasowo|przejściowo",
        "",
    ),
    (
        "C5",
        "error",
        r"przemyśl(?:eć|imy|ę|isz|i|icie|ą)|do przemyślenia|ponownie rozważ\w*|rozważ\w* ponownie"
        r"|ponowne rozważenie|zrewid\w*|rewizj\w* decyzji|(?<!nie )zmieni\w* (?:\w+ )?decyzj\w*"
        r"|może się (?:jeszcze )?zmienić|(?<!nie podlega )(?<!nie podlegają )(?<!nie jest otwarta na )negocj\w*"
        r"|(?:jest|są|pozostaje) do (?:dyskusji|negocjacji)|(?<!nie )podlega\w* dyskusji"
        r"|(?<!nie )(?:jesteśmy|pozostajemy) otwarci na (?:rozmowy|dyskusję|propozycje|sugestie|negocjacje)"
        r"|wrócić do współpracy"
        r"|powr\w* do współpracy|wznowi\w*|wznawia\w*|(?:jeszcze jedn|drug|ostatni)\w* szans\w*",
        "ostateczna",
    ),
    # C8: no „break up” or „pause”
    (
        "C8",
        "error",
        r"rozsta(?:ć|n|j|l|ł|ń)\w*|zerwa\w*|zerwie\w*|zrywa\w*|rozwód\w*|rozwodzi\w*",
        "zakończenie świadczenia usług",
    ),
    (
        "C8",
        "error",
        r"pauz\w*|zawiesz\w*|zawiesi\w*|zawiesza\w*|wstrzym\w*|zamroż\w*|zamraża\w*|zamrozi\w*"
        r"|przerw\w* (?:w |we )?współprac\w*|(?:zrobić|robimy|zróbmy|zrobimy) (?:sobie )?przerwę|przerwę od"
        r"|przerwać|przerwani\w*|przerwał\w*|przerwiemy|przerywa\w*",
        "zakończenie świadczenia usług",
    ),
    # C4: embellishment and warnings
    (
        "C4",
        "warning",
        r"szczerze (?:mówiąc|powiedziawszy)|mówiąc szczerze|prawdę mówiąc|uczciwie mówiąc|mówiąc uczciwie"
        r"|będę (?:szczery|szczera)|będziemy szczerzy|nie ukrywa(?:m|my|jmy)|nie trzeba (?:dodawać|mówić)"
        r"|jak wiadomo|rzecz jasna|jak (?:wiesz|wiecie)"
        r"|jak (?:Pan|Pani|Państwo) (?:zapewne |doskonale |dobrze |na pewno )?wi(?:e|edzą)"
        r"|jak (?:zapewne|doskonale|dobrze|na pewno) (?:Pan|Pani|Państwo) wi(?:e|edzą)",
        "",
    ),
]
