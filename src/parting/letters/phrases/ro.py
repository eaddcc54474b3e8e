"""Romanian: the letter, the call script and the termination clause as a Romanian accountant, consultant or
lawyer would write them. The letter uses the formal "dumneavoastră" throughout (second person plural verbs:
"vă confirm", "veți primi"), which do not agree in gender, and the phrasing avoids adjectives and participles
that would refer to the contact, so only the salutations and the spoken opening change with the form of
address: "Stimate domnule Popescu," / "Stimată doamnă Popescu," (with "domnule dr. …" / "doamnă prof. …"
when a title is recorded) and, when the form is unknown, the neutral "Bună ziua, Andrei Popescu," rather than
a "Stimate/Stimată" slash. The firm speaks as "noi"; the sender's own gender is never needed. Names of
third parties (the successor, the referrals) stand in apposition so that no case ending or pronoun has to
guess their gender. Contract language follows Romanian service agreements: "Prestatorul" / "Beneficiarul",
"denunțare unilaterală", "notificare scrisă". Days follow CLDR (one / few / other), with "de" from 20 on:
"1 zi", "14 zile", "30 de zile". The tone checker's patterns are written with the proper comma-below letters
and then widened so that text typed with cedilla letters (ş, ţ) or without diacritics ("deocamdata",
"va despartim") is caught too; "poate" is flagged only as the adverb "maybe", never as the verb "can".
"""

T = {
    # -- the letter ---------------------------------------------------------------------------
    "subject": "Încetarea serviciilor noastre la data de {end_date}",
    "salutation": {
        "masculine": "Stimate domnule {surname},",
        "feminine": "Stimată doamnă {surname},",
        "neutral": "Bună ziua, {name},",
    },
    "salutation_titled": {
        "masculine": "Stimate domnule {title} {surname},",
        "feminine": "Stimată doamnă {title} {surname},",
        "neutral": "Bună ziua, {title} {name},",
    },
    # C1, C5: after the call (default) or as the only notice (the user's explicit choice)
    "decision_after_call": (
        "Ca urmare a discuției noastre din {notice_date}, vă confirm prin prezenta că {firm} încetează prestarea "
        "serviciilor pentru {client}. Ultima zi în care vom lucra pentru dumneavoastră va fi {end_date}. "
        "Decizia este definitivă."
    ),
    "decision_letter_only": (
        "Prin prezenta vă aduc la cunoștință că {firm} încetează prestarea serviciilor pentru {client}. Ultima zi "
        "în care vom lucra pentru dumneavoastră va fi {end_date}. Decizia este definitivă."
    ),
    # C6: general and positive, never blame
    "reason_capacity": (
        "Activitatea noastră s-a extins rapid și nu mai putem asigura fiecărui client nivelul de calitate pe care "
        "ni-l impunem."
    ),
    "reason_focus": "Ne concentrăm activitatea pe o gamă mai restrânsă de servicii și ne orientăm într-o nouă direcție.",
    "reason_time": "Nu mai putem dedica timpul pe care îl cer așteptările dumneavoastră.",
    "reason_fit": "Considerăm că o altă firmă va putea răspunde mai bine nevoilor dumneavoastră.",
    "reason_general": "După o analiză atentă, am ajuns la concluzia că o altă firmă vă va putea sprijini mai bine.",
    # O1–O6, O9: what happens next
    "next_intro": "Pașii următori:",
    "work": {
        "one": "Înainte de această dată vom finaliza lucrarea în curs: {work}.",
        "other": "Înainte de această dată vom finaliza lucrările în curs: {work}.",
    },
    "final_invoice": "Veți primi factura finală, în valoare de {amount}, pentru lucrările efectuate până la {end_date}.",
    "final_invoice_estimate": (
        "Veți primi factura finală pentru lucrările efectuate până la {end_date}; estimăm că valoarea acesteia va fi "
        "de {amount}."
    ),
    "refund": (
        "Vă vom restitui suma de {amount}, reprezentând partea achitată în avans pentru lucrările care nu vor mai "
        "fi efectuate."
    ),
    "credit": (
        "Vom emite o notă de credit în valoare de {amount} pentru partea achitată în avans din lucrările care nu "
        "vor mai fi efectuate."
    ),
    "files": (
        "Vă vom transmite toate fișierele și documentele dumneavoastră până la {files_by}, iar până la "
        "{deletion_date} ne puteți solicita copii ale acestora."
    ),
    "deletion": (
        "La data de {deletion_date} vom șterge toate copiile documentelor și datelor dumneavoastră pe care le "
        "deținem, cu excepția documentelor contabile pe care legea ne obligă să le păstrăm până la "
        "{accounting_until}."
    ),
    "access": "Vă rugăm să ne retrageți, până la {end_date}, accesul la: {access}.",
    "credentials": {
        "one": "Vă vom preda datele de autentificare pentru contul care vă aparține: {credentials}.",
        "other": "Vă vom preda datele de autentificare pentru conturile care vă aparțin: {credentials}.",
    },
    # What is still due (D10), what falls due after the end, who we notify ourselves, who answers questions
    "deadline_item": "{work} (termen: {date})",
    "deadlines": {
        "one": "Termenul pentru următoarea lucrare cade după încetarea colaborării noastre; vă rugăm să vă asigurați că de ea se va ocupa noul dumneavoastră consultant: {deadlines}.",
        "other": "Termenele pentru următoarele lucrări cad după încetarea colaborării noastre; vă rugăm să vă asigurați că de ele se va ocupa noul dumneavoastră consultant: {deadlines}.",
    },
    "unpaid_item": "nr. {number} ({amount}, scadentă la {date})",
    "unpaid": {
        "one": "Rămâne de achitat factura {unpaid}.",
        "other": "Rămân de achitat facturile {unpaid}, în total {total}.",
    },
    "third_parties": {
        "one": "Până la {end_date} vom notifica încetarea colaborării următoarei instituții și ne vom retrage împuternicirea: {parties}.",
        "other": "Până la {end_date} vom notifica încetarea colaborării următoarelor instituții și ne vom retrage împuternicirile: {parties}.",
    },
    "handover_contact": "Pentru întrebări practice legate de predarea documentelor, persoana de contact este {handler}.",
    "successor": (
        "Pentru ca preluarea să decurgă fără dificultăți, vom informa noul prestator, {successor}, cu privire la "
        "lucrările efectuate."
    ),
    "support": (
        "Dacă veți avea nevoie de sprijin după {end_date}, vă putem oferi asistență contra cost până la "
        "{support_until}, la un tarif de {support_fee}."
    ),
    # C10: referrals, or good wishes alone when the real reason is attitude
    "referrals": {
        "one": "Vă puteți adresa firmei {referral}, care, în opinia noastră, vă poate oferi servicii de calitate.",
        "other": "Vă puteți adresa următoarelor firme, care, în opinia noastră, vă pot oferi servicii de calitate:",
    },
    "referral_item": "{name}, {contact}",
    "referral_inline": "{name} ({contact})",
    "good_wishes": "Vă dorim toate cele bune.",
    # C9
    "thanks": "Vă mulțumim pentru încrederea acordată și pentru colaborare.",
    "closing": "Cu stimă,",
    # The reference line under the date, and the note shown above a letter the call has not yet preceded (C1)
    "reference": "Referința noastră: client nr. {client_number}",
    "reference_agreement": "Referința noastră: client nr. {client_number}, contractul din {agreement_date}",
    "not_told": "A nu se trimite încă: discuția cu clientul nu este încă înregistrată la dosar, de aceea scrisoarea nu face referire la ea.",
    "dateline": "{date}",
    "attachment_name": "{firm} încetarea serviciilor {date}",
    # -- the call script (C1, C5, C7, C8, C11, C12) -------------------------------------------
    "script_title": "Convorbire cu {contact}, {client}",
    "script_heading_opening": "Deschidere",
    "script_heading_decision": "Decizia",
    "script_heading_reason": "Motivul",
    "script_heading_reasons": "Motivele documentate (opțional)",
    "script_heading_next": "Ce urmează",
    "script_heading_pushback": "Dacă clientul are obiecții",
    "script_heading_close": "Încheiere",
    "script_opening": {
        "masculine": (
            "Bună ziua, domnule {surname}. Vă mulțumesc că ați găsit timp să vorbim astăzi. Aș dori să discutăm "
            "despre colaborarea noastră."
        ),
        "feminine": (
            "Bună ziua, doamnă {surname}. Vă mulțumesc că ați găsit timp să vorbim astăzi. Aș dori să discutăm "
            "despre colaborarea noastră."
        ),
        "neutral": (
            "Bună ziua. Vă mulțumesc că ați găsit timp să vorbim astăzi. Aș dori să discutăm despre colaborarea "
            "noastră."
        ),
    },
    "script_decision": (
        "Am hotărât să încetăm prestarea serviciilor pentru {client}. Ultima zi în care vom lucra pentru "
        "dumneavoastră va fi {end_date}. Decizia este definitivă."
    ),
    "script_reasons_intro": "Ca să aveți imaginea completă, iată ce am consemnat în ultimele luni:",
    "script_next": (
        "Vom finaliza lucrările în curs până la {end_date}. Astăzi vă trimit totul în scris: datele, factura "
        "finală, cum veți primi fișierele și când ștergem copiile noastre."
    ),
    "script_pushback": [
        ("Nu mai putem încerca o dată?", "Apreciez ce îmi spuneți, dar decizia este definitivă."),
        (
            "Și dacă am plăti mai mult?",
            "Nu este o chestiune de preț. Apreciez oferta, dar decizia este definitivă.",
        ),
        (
            "Ce am greșit?",
            "Nu este vorba despre greșeli, ci despre ce vă putem oferi. O altă firmă vă va putea sprijini mai bine.",
        ),
        (
            "Ne mai puteți acorda puțin timp?",
            "Lucrăm pentru dumneavoastră până la {end_date}, iar toate detaliile sunt în scrisoare.",
        ),
    ],
    "script_close": (
        "Vă mulțumesc încă o dată pentru colaborare. Veți primi scrisoarea astăzi. Vă doresc mult succes."
    ),
    # C7: documented reasons, stated as facts without blame
    "sign_W1": "documentele și răspunsurile de care aveam nevoie au sosit adesea aproape de termen sau după termen",
    "sign_W2": "multe mesaje și apeluri au venit în afara programului nostru de lucru",
    "sign_W3": "solicitările au fost adresate adesea partenerilor, nu colegului din echipă desemnat pentru dumneavoastră",
    "sign_W4": ("întâlnirile au fost adesea anulate în ultimul moment, nu au avut loc sau au început cu întârziere"),
    "sign_W5": "aceleași corecturi au fost necesare de mai multe ori",
    "sign_W6": (
        "recomandările noastre au fost adesea puse la îndoială, ceea ce ne face să credem că un alt consultant "
        "vi s-ar potrivi mai bine"
    ),
    "sign_W7": "mai multe facturi au fost achitate după scadență",
    "sign_W8": "unele prevederi ale contractului nostru nu au fost respectate",
    "sign_W9": "prețurile au fost adesea renegociate",
    "sign_W10": "discuțiile noastre au devenit dificile pentru ambele părți",
    "sign_W11": "lucrările nu mai justifică timpul pe care îl necesită",
    "sign_W12": "nevoile dumneavoastră se află acum în afara serviciilor pe care ne concentrăm",
    "sign_W13": "lucrările solicitate au depășit sfera de lucru convenită",
    "sign_W14": "informațiile de care depinde munca noastră adesea nu au fost disponibile la timp",
    "sign_W15": "unele discuții au fost dificile pentru membrii echipei noastre",
    # -- the termination clause (N5) ----------------------------------------------------------
    "clause_title": "Încetarea contractului",
    "clause_notice": (
        "Oricare dintre părți poate denunța unilateral prezentul contract în orice moment, printr-o notificare "
        "scrisă transmisă fără întârziere celeilalte părți. Serviciile încetează la expirarea unui termen de "
        "{notice} de la primirea notificării."
    ),
    "clause_replacement": (
        "La cererea Beneficiarului, Prestatorul va depune eforturi rezonabile pentru a recomanda un alt prestator "
        "potrivit."
    ),
    "clause_refund": (
        "Sumele achitate în avans aferente serviciilor care nu au fost încă prestate se restituie Beneficiarului în "
        "funcție de lucrările efectuate, stabilite ca procent rezonabil de exact din volumul de lucru convenit. "
        "După efectuarea restituirii, niciuna dintre părți nu mai are alte obligații în temeiul prezentului "
        "contract, cu excepția plății lucrărilor deja efectuate."
    ),
    "clause_credit": (
        "Pentru sumele achitate în avans aferente serviciilor care nu au fost încă prestate, Prestatorul emite în "
        "favoarea Beneficiarului o notă de credit, în funcție de lucrările efectuate, stabilite ca procent "
        "rezonabil de exact din volumul de lucru convenit. După emiterea notei de credit, niciuna dintre părți nu "
        "mai are alte obligații în temeiul prezentului contract, cu excepția plății lucrărilor deja efectuate."
    ),
    "clause_note": (
        "Vă recomandăm să solicitați verificarea acestei clauze de către un avocat înainte de a o folosi: este un "
        "punct de plecare, nu o consultanță juridică."
    ),
    "days": {"one": "{n} zi", "few": "{n} zile", "other": "{n} de zile"},
}

# Letters that Romanian text is often typed without, or with the older cedilla forms (ş, ţ).
_LENIENT = {"ă": "ăa", "â": "âa", "î": "îi", "ș": "șşs", "ț": "țţt"}


def _lenient(pattern: str) -> str:
    """``pattern`` that also matches the words typed with cedillas or without diacritics."""
    out, in_class, escaped = [], False, False
    for char in pattern:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            out.append(char)
            escaped = True
        elif in_class:
            in_class = char != "]"
            out.append(_LENIENT.get(char, char))
        elif char == "[":
            in_class = True
            out.append(char)
        else:
            out.append(f"[{_LENIENT[char]}]" if char in _LENIENT else char)
    return "".join(out)


_YOU = r"(?:dumneavoastră|dvs\.?|voastră|ta)"  # "your" / "you" after a preposition
_YOU_VERB = r"(?:v-|ne-|n-)?(?:ați|\w+(?:ați|eți|iți|âți))"  # a second person plural verb: ați, plătiți, cereți
_ALWAYS = r"(?:mereu|întotdeauna|niciodată|constant|tot timpul|de fiecare dată)"

# The tone checker's words (C2, C3, C4, C5, C6, C8): (rule, level, pattern, what to write instead).
# Patterns are regular expressions matched case-insensitively on whole words; "poate" is the verb "can" as
# well as the adverb "maybe", so only the adverb's company is flagged: "poate că", "poate vom", "Poate, …",
# "…, poate." — never "Firma poate, la cerere, să…" or "nu se poate."
TONE = [
    (rule, level, _lenient(pattern), instead)
    for rule, level, pattern, instead in [
        ("C3", "error", rf"(?:din |e |este )?vina {_YOU}|vina (?:este |e )?a {_YOU}", ""),
        ("C3", "error", rf"din (?:cauza|pricina) {_YOU}", ""),
        (
            "C3",
            "error",
            r"(?:n-|nu )?(?:ne-|v-)?ați (?:refuzat|ignorat|încălcat|neglijat|uitat|omis|greșit|întârziat)"
            r"|(?:n-|nu )(?:ne-|v-)?ați (?:plătit|achitat|trimis|respectat|răspuns|livrat|furnizat)"
            rf"|{_ALWAYS}(?: nu)? {_YOU_VERB}|{_YOU_VERB}(?: \w+)? {_ALWAYS}",
            "",
        ),
        (
            "C3",
            "error",
            r"(?:ați plătit|plătiți|ați achitat|achitați) (?:\w+ )?(?:cu întârziere|târziu)"
            r"|(?:sunteți|ați fost|erați|v-ați purtat|v-ați comportat) (?:\w+ )?"
            r"(?:nepoliticos\w*|nepoliticoas\w*|dificil\w*|nerezonabil\w*|neserios\w*|neserioas\w*|agresiv\w*"
            r"|imposibil\w*|urât|greu de \w+|nepunctual\w*)",
            "",
        ),
        ("C3", "error", r"vin[aă]|vinovat\w*|învinov\w*|învinu\w*|acuz\w*|reproș\w*", ""),
        (
            "C6",
            "error",
            r"nepoliticos\w*|nepoliticoas\w*|(?:lips\w*|lipsit\w*) de respect|irespectuos\w*|irespectuoas\w*"
            r"|nerespectuos\w*|nerespectuoas\w*|obraznic\w*|grosolan\w*|mitocan\w*|jign\w*|insult\w*|ofens\w*"
            r"|abuziv\w*|agresiv\w*|intimid\w*|impertinen\w*",
            "nu putem răspunde nevoilor dumneavoastră",
        ),
        (
            "C3",
            "error",
            r"neprofesionis\w*|neprofesional\w*|nerezonabil\w*|neserios\w*|neserioas\w*|toxic\w*"
            r"|client\w* (?:dificil\w*|problematic\w*|rău|răi|rea|rele|imposibil\w*|pretențio\w*)"
            r"|(?:persoan\w*|om|oameni) dificil\w*|(?:greu|imposibil) de (?:mulțumit|lucrat|colaborat|tratat)",
            "",
        ),
        (
            "C2",
            "error",
            r"inacceptabil\w*|ridicol\w*|stupid\w*|absurd\w*|penibil\w*|deschis vorbind|fără menajamente"
            r"|(?:în mod )?evident|(?:ne-|ne )?am săturat|(?:suntem|sunt) sătu[il]\w*|(?:am |să )?scăp(?:at|ăm) de"
            r"|pierdere de timp|timp pierdut",
            "",
        ),
        ("C2", "error", r"toler\w*|nu mai (?:putem |vom )?(?:suporta|suportăm|răbda|răbdăm)", ""),
        (
            "C5",
            "error",
            r"poate că|poate(?=\s+(?:ar|aș|am|ați|vom|veți|va|voi|vor|o|ne|vă|mai|\w+(?:ăm|em|im|âm|ați|eți|iți|âți))"
            r"(?!\w))|(?<!\w\s)poate(?=\s*,)|(?<!se )(?<!nu )poate(?=\s*[.?!;])"
            r"|eventual|probabil|(?:este |e |ar fi )?posibil să|s-ar putea|nu (?:este |e )?exclus|nu excludem",
            "",
        ),
        (
            "C5",
            "error",
            r"deocamdată|(?:cel puțin )?(?:pentru|pe) moment|momentan|până una-alta|până la noi ordine|temporar\w*"
            r"|provizori\w*",
            "",
        ),
        (
            "C5",
            "error",
            r"decât dacă|doar dacă|numai dacă|dacă nu cumva|cu excepția cazului în care|în afară de cazul în care"
            r"|exceptând cazul în care",
            "",
        ),
        (
            "C5",
            "error",
            r"reconsider\w*|reanaliz\w*|reevalu\w*|negoci\w*|(?:suntem |rămânem )?deschiși (?:la|pentru|spre) "
            r"(?:discuți\w*|negocier\w*|dialog|propuneri)|(?:mai )?putem discuta|mai discutăm|vom mai discuta"
            r"|rămâne de (?:discutat|văzut)|vom vedea|ne mai gândim|am putea|aș putea|s-ar (?:putea )?schimba"
            r"|răzgând\w*|(?:altă|a doua|încă o) șansă",
            "definitivă",
        ),
        (
            "C8",
            "error",
            r"despărț\w*|despart\w*|ruptur\w*|rup\w* (?:relați\w*|colabor\w*|legătur\w*|contract\w*)",
            "încetăm serviciile",
        ),
        (
            "C8",
            "error",
            r"pauz\w*|suspend\w*|întrerup\w*|îngheț\w*|(?:pun\w*|pus\w*|lăs\w*|rămân\w*|rămas\w*)(?: \w+){0,2} în așteptare"
            r"|(?:în|pe) stand-?by",
            "încetăm serviciile",
        ),
        (
            "C4",
            "warning",
            r"sincer vorbind|cinstit vorbind|(?:ca )?să fiu sincer\w*|(?:ca )?să fim sinceri|sincer să (?:fiu|fim)"
            r"|cu toată sinceritatea|(?:după )?cum (?:bine |probabil |sigur )?știți(?: deja)?"
            r"|(?:este |e )?de la sine înțeles|inutil să mai (?:spun|spunem|precizăm|menționăm)"
            r"|nu mai e nevoie să (?:spun|spunem)",
            "",
        ),
    ]
]


# Negations that, within three words before a C5 or C8 passage, turn it into a statement of finality
# („nu este negociabilă”, „nu va fi reconsiderată”): the tone checker lets those be.
NEGATORS = r"nu|niciodată|nici"
