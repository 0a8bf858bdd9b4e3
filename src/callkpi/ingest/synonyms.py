"""Usual header names (English and French) and value spellings for the canonical columns.

Used by the `generic` profile and by `callkpi profile suggest`. Names are compared after
`profiles.normalise` (no case, accents, spaces or punctuation), so "Date d'appel",
"date_appel" and "DATE D APPEL" are one entry.
"""

from __future__ import annotations

from callkpi.store import schema

_ID = ("id", "identifiant", "identifier", "ref", "reference", "référence", "code")

HEADER_SYNONYMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("campaigns", "campaign_id"): ("campaign", "campagne", "id campagne", "code campagne"),
    ("campaigns", "name"): ("campaign name", "nom", "nom campagne", "libellé", "libelle"),
    ("campaigns", "channel"): ("canal", "media", "média"),
    ("campaigns", "objective"): ("objectif", "goal"),
    ("campaigns", "start_date"): ("start", "début", "date de début", "date debut"),
    ("campaigns", "end_date"): ("end", "fin", "date de fin", "date fin"),
    ("campaigns", "budget"): ("budget eur", "montant budget"),
    ("agents", "agent_id"): ("agent", "user", "utilisateur", "login", "id agent", "conseiller"),
    ("agents", "name"): ("agent name", "nom", "nom agent", "full name", "nom complet"),
    ("agents", "team"): ("équipe", "equipe", "group", "groupe", "user group"),
    ("agents", "hourly_cost"): ("coût horaire", "cout horaire", "taux horaire", "hourly rate"),
    ("contacts", "contact_id"): ("contact", "record id", "id contact", "client", "customer id"),
    ("contacts", "created_at"): ("create date", "created", "date de création", "créé le"),
    ("contacts", "segment"): ("lifecycle stage", "type client", "cible"),
    ("contacts", "sector"): ("industry", "secteur", "secteur d'activité"),
    ("contacts", "region"): ("state", "state/region", "région", "departement", "département"),
    ("contacts", "postal_code"): ("zip", "postcode", "code postal", "cp"),
    ("contacts", "phone"): ("phone number", "téléphone", "telephone", "tel", "mobile", "portable"),
    ("contacts", "email"): ("e-mail", "mail", "courriel", "adresse email"),
    ("contacts", "consent"): ("opt in", "optin", "consentement", "rgpd"),
    ("leads", "lead_id"): ("lead", "id lead", "prospect", "id prospect"),
    ("leads", "contact_id"): ("contact", "client", "id contact"),
    ("leads", "campaign_id"): ("campaign", "campagne", "utm campaign"),
    ("leads", "source"): ("lead source", "origine", "canal d'acquisition", "provenance"),
    ("leads", "created_at"): ("create date", "created", "date de création", "date création"),
    ("leads", "status"): ("lead status", "statut", "état", "etat", "stage", "étape"),
    ("leads", "converted_at"): ("converted", "date de conversion", "date conversion"),
    ("calls", "call_id"): ("call", "id appel", "appel", "uniqueid", "sid", "n° appel"),
    ("calls", "campaign_id"): ("campaign", "campagne", "id campagne", "code campagne"),
    ("calls", "agent_id"): ("agent", "user", "utilisateur", "conseiller", "téléopérateur"),
    ("calls", "contact_id"): (
        "contact",
        "client",
        "id contact",
        "numéro appelé",
        "numéro",
        "numero",
        "phone number",
        "number dialed",
        "destination",
    ),
    ("calls", "lead_id"): ("lead", "id lead", "prospect", "fiche"),
    ("calls", "direction"): ("sens", "type d'appel", "entrant/sortant"),
    ("calls", "started_at"): (
        "date",
        "call date",
        "start time",
        "date d'appel",
        "date appel",
        "date et heure",
        "début",
        "heure de début",
        "horodatage",
    ),
    ("calls", "ring_s"): ("ring time", "sonnerie", "durée sonnerie", "attente"),
    ("calls", "talk_s"): (
        "duration",
        "talk time",
        "length in sec",
        "billsec",
        "durée",
        "duree",
        "durée de conversation",
        "temps de conversation",
        "durée (s)",
    ),
    ("calls", "hold_s"): ("hold time", "mise en attente", "durée attente"),
    ("calls", "wrap_s"): ("wrap up", "wrapup time", "post-appel", "temps post appel"),
    ("calls", "outcome"): (
        "status",
        "disposition",
        "result",
        "résultat",
        "resultat",
        "statut",
        "qualification",
        "issue",
    ),
    ("calls", "attempt_no"): ("attempt", "tentative", "n° tentative", "called count"),
    ("calls", "tracking_code"): ("tracking", "code de suivi", "code tracking"),
    ("deals", "deal_id"): ("deal", "record id", "opportunity id", "id opportunité", "affaire"),
    ("deals", "contact_id"): ("account id", "accountid", "associated contact ids", "client"),
    ("deals", "owner_agent_id"): ("owner id", "ownerid", "deal owner id", "commercial"),
    ("deals", "created_at"): ("create date", "created date", "createddate", "date de création"),
    ("deals", "closed_at"): ("close date", "closedate", "date de clôture", "date de cloture"),
    ("deals", "status"): ("deal stage", "stage", "stagename", "étape", "statut", "état"),
    ("deals", "amount"): ("montant", "value", "valeur", "ca"),
    ("deals", "tier"): ("type", "deal type", "gamme"),
    ("orders", "order_id"): ("order", "commande", "n° commande", "id commande"),
    ("orders", "ordered_at"): ("order date", "date de commande", "date commande", "date"),
    ("orders", "amount"): ("montant", "total", "montant ttc", "montant ht"),
    ("orders", "margin"): ("marge",),
    ("costs", "cost_id"): ("cost", "coût", "id coût", "dépense"),
    ("costs", "period_start"): ("start", "début", "date de début", "du"),
    ("costs", "period_end"): ("end", "fin", "date de fin", "au"),
    ("costs", "category"): ("catégorie", "categorie", "poste"),
    ("costs", "amount"): ("montant", "coût", "cout", "total"),
}
for (_table, _column), _names in list(HEADER_SYNONYMS.items()):
    if _column.endswith("_id") and _column == schema.table(_table).key[0]:
        HEADER_SYNONYMS[(_table, _column)] = (*_names, *_ID)

#: Canonical call outcomes and their usual spellings (English, French, dialer words).
_OUTCOMES: dict[str, tuple[str, ...]] = {
    "no_answer": ("no answer", "noanswer", "na", "pas de réponse", "non répondu", "ne répond pas"),
    "busy": ("occupé", "occupe", "ligne occupée"),
    "voicemail": ("answering machine", "répondeur", "repondeur", "messagerie", "am"),
    "failed": ("échec", "echec", "faux numéro", "numéro invalide", "erreur", "congestion"),
    "wrong_party": ("wrong person", "mauvais interlocuteur", "hors cible"),
    "refused": ("not interested", "refus", "pas intéressé", "pas interesse", "ni"),
    "callback": ("call back", "rappel", "à rappeler", "a rappeler", "callbk"),
    "do_not_call": ("dnc", "ne pas appeler", "bloctel", "stop"),
    "promise": ("promesse", "accord de principe"),
    "appointment": ("rdv", "rendez-vous", "rendez vous", "meeting"),
    "sale": ("vente", "sold", "commande", "vendu"),
}
_DIRECTIONS = {
    "outbound": ("sortant", "out", "outgoing", "émis"),
    "inbound": ("entrant", "in", "incoming", "reçu"),
}
_DEAL_STATUSES = {
    "won": ("closed won", "closedwon", "gagné", "gagne", "signé", "signe"),
    "lost": ("closed lost", "closedlost", "perdu"),
    "open": ("en cours", "ouvert", "nouveau"),
}


def _value_map(groups: dict[str, tuple[str, ...]]) -> dict[str, str]:
    mapping = {canonical: canonical for canonical in groups}
    for canonical, spellings in groups.items():
        mapping.update({spelling: canonical for spelling in spellings})
    return mapping


VALUE_SYNONYMS: dict[tuple[str, str], dict[str, str]] = {
    ("calls", "outcome"): _value_map(_OUTCOMES),
    ("calls", "direction"): _value_map(_DIRECTIONS),
    ("deals", "status"): _value_map(_DEAL_STATUSES),
}
