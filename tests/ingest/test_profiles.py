"""Each shipped profile against a file written to the documented format of its source."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from callkpi.errors import DataImportError, UnknownNameError
from callkpi.ingest import import_file
from callkpi.ingest.phones import pseudonym
from callkpi.ingest.profiles import load_profile, profile_yaml, shipped_names
from callkpi.ingest.report import REDACTED
from callkpi.ingest.suggest import suggest
from callkpi.store import Store, open_store
from tests.ingest.helpers import rows, write_text, write_xlsx

KEY = b"a key kept outside the store"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path / "t.duckdb")
    yield s
    s.close()


def cdr(*fields: str | int) -> str:
    """One cdr_csv record: strings quoted, integers bare, empty times bare (`,,`)."""
    return ",".join(
        str(f) if isinstance(f, int) or (f == "" and i == 10) else '"' + f.replace('"', '""') + '"'
        for i, f in enumerate(fields)
    )


def cdr_row(uniqueid: str, disposition: str, billsec: int, *, dst: str = "0612345678") -> str:
    answer = "2024-03-04 10:00:05" if billsec else ""
    return cdr(
        "",  # accountcode
        "1001",
        dst,
        "outbound-sales",
        '"Agent 1001" <1001>',
        "SIP/1001-0000002a",
        "SIP/trunk-0000002b",
        "Dial",
        "SIP/trunk/0612345678",
        "2024-03-04 10:00:00",
        answer,
        "2024-03-04 10:01:05",
        65,
        billsec,
        disposition,
        "DOCUMENTATION",
        uniqueid,
        "",
    )


def test_asterisk_master_csv(store: Store, tmp_path: Path) -> None:
    lines = [
        cdr_row("1709546400.1", "ANSWERED", 60),
        cdr_row("1709546400.2", "NO ANSWER", 0),
        cdr_row("1709546400.3", "BUSY", 0),
        cdr_row("1709546400.4", "FAILED", 0),
        cdr_row("1709546400.5", "CONGESTION", 0),
        cdr_row("1709546400.1", "NO ANSWER", 0),  # a Dial fan-out leg of call .1
    ]
    path = write_text(tmp_path, "Master.csv", "\n".join(lines) + "\n")
    report = import_file(store, None, path, profile="asterisk_cdr", pseudonymise_key=KEY)
    assert (report.table, report.inserted, report.duplicates, report.rejected) == (
        "calls",
        5,
        1,
        0,
    )
    assert report.source_timezone == "Europe/Paris"
    got = rows(store, "SELECT * FROM calls ORDER BY call_id")
    assert [r["outcome"] for r in got] == ["callback", "no_answer", "busy", "failed", "failed"]
    first = got[0]
    assert first["campaign_id"] == "outbound-sales"  # no account code: the context
    assert first["agent_id"] == "1001"
    assert first["started_at"] == dt.datetime(2024, 3, 4, 9, 0)  # Paris winter time
    assert (first["talk_s"], first["ring_s"], first["direction"]) == (60.0, 5.0, "outbound")
    assert first["contact_id"] == pseudonym(KEY, "+33612345678")


def test_asterisk_without_uniqueid_and_with_newcdrcolumns(store: Store, tmp_path: Path) -> None:
    base = cdr_row("x", "ANSWERED", 10).rsplit(",", 2)[0]  # the 16 mandatory fields
    short = write_text(tmp_path, "short.csv", base + "\n")
    report = import_file(store, None, short, profile="asterisk_cdr")
    assert report.inserted == 1
    assert "contact_id left empty" in report.notes[0]
    (row,) = rows(store, "SELECT call_id, contact_id FROM calls")
    assert row == {
        "call_id": "2024-03-04 10:00:00|SIP/1001-0000002a|0612345678",
        "contact_id": None,
    }
    long = cdr_row("1709546400.9", "BUSY", 0) + ',"","1709546400.9",3'
    report = import_file(
        store, "calls", write_text(tmp_path, "long.csv", long + "\n"), profile="asterisk_cdr"
    )
    assert report.inserted == 1


def test_asterisk_billsec_above_duration_is_refused(store: Store, tmp_path: Path) -> None:
    line = cdr_row("1.1", "ANSWERED", 70)  # billsec 70 > duration 65: impossible
    report = import_file(
        store,
        None,
        write_text(tmp_path, "m.csv", line + "\n"),
        profile="asterisk_cdr",
        mode="skip-invalid",
    )
    assert [(r.line, r.column, r.code, r.value) for r in report.rejects] == [
        (1, "ring_s", "bad_value", "-5.0")
    ]


VICIDIAL_HEADER = (
    "call_date\tphone_number_dialed\tstatus\tuser\tfull_name\tcampaign_id\tvendor_lead_code\t"
    "source_id\tlist_id\tgmt_offset_now\tphone_code\tphone_number\ttitle\tfirst_name\t"
    "middle_initial\tlast_name\taddress1\taddress2\taddress3\tcity\tstate\tprovince\t"
    "postal_code\tcountry_code\tgender\tdate_of_birth\talt_phone\temail\tsecurity_phrase\t"
    "comments\tlength_in_sec\tuser_group\talt_dial\trank\towner\tlead_id"
)


def vicidial_row(date: str, status: str, length: int, lead: str) -> str:
    fields = [date, "0612345678", status, "agent7", "Agent Seven", "CAMP01"] + [""] * 24
    fields += [str(length), "SALES", "MAIN", "0", "", lead]
    return "\t".join(fields)


@pytest.mark.parametrize("with_header", [True, False])
def test_vicidial_call_report_export(store: Store, tmp_path: Path, with_header: bool) -> None:
    records = [
        vicidial_row("2024-03-04 10:00:00", "SALE", 300, "1001"),
        vicidial_row("2024-03-04 10:05:00", "NI", 45, "1002"),
        vicidial_row("2024-03-04 10:06:00", "NA", 0, "1003"),
        vicidial_row("2024-03-04 10:07:00", "A", 0, "1004"),
        vicidial_row("2024-03-04 10:08:00", "CALLBK", 60, "1005"),
        vicidial_row("2024-03-04 10:09:00", "DNC", 10, "1006"),
        vicidial_row("2024-03-04 10:10:00", "DROP", 0, "1007"),
        vicidial_row("2024-03-04 10:11:00", "B", 0, "1008"),
        vicidial_row("2024-03-04 10:12:00", "ZZTOP", 0, "1009"),  # a campaign status
    ]
    text = "\r\n".join(([VICIDIAL_HEADER] if with_header else []) + records) + "\r\n"
    path = write_text(tmp_path, "EXPORT_CALL_REPORT_20240304-101500.txt", text)
    report = import_file(store, None, path, profile="vicidial_calls", mode="skip-invalid")
    assert (report.inserted, report.rejected) == (8, 1)
    (reject,) = report.rejects
    assert (reject.line, reject.column, reject.code, reject.value) == (
        9 + with_header,
        "outcome",
        "bad_value",
        "ZZTOP",
    )
    assert rows(store, "SELECT outcome FROM calls ORDER BY started_at") == [
        {"outcome": o}
        for o in (
            *("sale", "refused", "no_answer", "voicemail", "callback", "do_not_call"),
            *("failed", "busy"),
        )
    ]
    (first,) = rows(store, "SELECT * FROM calls WHERE lead_id = '1001'")
    assert (first["call_id"], first["agent_id"], first["talk_s"]) == (
        "1001|2024-03-04 10:00:00",
        "agent7",
        300.0,
    )


def test_user_profile_extends_a_shipped_one(store: Store, tmp_path: Path) -> None:
    profile = write_text(
        tmp_path,
        "my_vicidial.yaml",
        "name: my_vicidial\nextends: vicidial_calls\ntimezone: UTC\n"
        "columns:\n  outcome:\n    map:\n      ZZTOP: appointment\n",
    )
    text = vicidial_row("2024-03-04 10:12:00", "ZZTOP", 0, "1009") + "\n"
    report = import_file(store, None, write_text(tmp_path, "e.txt", text), profile=profile)
    assert (report.profile, report.inserted, report.source_timezone) == ("my_vicidial", 1, "UTC")
    assert rows(store, "SELECT outcome, started_at FROM calls") == [
        {"outcome": "appointment", "started_at": dt.datetime(2024, 3, 4, 10, 12)}
    ]


TWILIO_HEADER = (
    "Sid,DateCreated,DateUpdated,ParentCallSid,AccountSid,To,ToFormatted,From,FromFormatted,"
    "PhoneNumberSid,Status,StartTime,EndTime,Duration,Price,PriceUnit,Direction,AnsweredBy,"
    "Annotation,ApiVersion,ForwardedFrom,GroupSid,CallerName,Uri"
)


def twilio_row(sid: str, status: str, answered_by: str, direction: str, duration: int) -> str:
    date = '"Tue, 05 Mar 2024 09:00:00 +0000"'
    return (
        f"{sid},{date},{date},,AC1,+33612345678,06 12 34 56 78,+33198765432,01 98 76 54 32,"
        f"PN1,{status},{date},{date},{duration},-0.0125,USD,{direction},{answered_by},,"
        f'2010-04-01,,,,"/2010-04-01/Accounts/AC1/Calls/{sid}.json"'
    )


def test_twilio_call_log_csv_and_json_lines(store: Store, tmp_path: Path) -> None:
    text = "\n".join(
        [
            TWILIO_HEADER,
            twilio_row("CA01", "completed", "human", "outbound-api", 120),
            twilio_row("CA02", "completed", "machine_end_beep", "outbound-api", 30),
            twilio_row("CA03", "no-answer", "", "outbound-dial", 0),
            twilio_row("CA04", "busy", "", "outbound-api", 0),
            twilio_row("CA05", "completed", "", "inbound", 60),
        ]
    )
    report = import_file(
        store,
        None,
        write_text(tmp_path, "calls.csv", text + "\n"),
        profile="twilio_calls",
        pseudonymise_key=KEY,
    )
    assert (report.inserted, report.rejected) == (5, 0)
    got = rows(
        store, "SELECT call_id, outcome, direction, started_at, contact_id FROM calls ORDER BY 1"
    )
    assert [r["outcome"] for r in got] == ["callback", "voicemail", "no_answer", "busy", "callback"]
    assert [r["direction"] for r in got] == ["outbound"] * 4 + ["inbound"]
    assert got[0]["started_at"] == dt.datetime(2024, 3, 5, 9, 0)
    assert got[0]["contact_id"] == pseudonym(KEY, "+33612345678")
    assert got[4]["contact_id"] == pseudonym(KEY, "+33198765432")  # inbound: the caller
    jsonl = write_text(
        tmp_path,
        "calls.jsonl",
        '{"sid": "CA06", "status": "failed", "direction": "outbound-api", '
        '"start_time": "2024-03-05T10:00:00Z", "duration": "0", "to": "+33612345678"}\n',
    )
    assert import_file(store, None, jsonl, profile="twilio_calls").inserted == 1
    assert rows(store, "SELECT outcome, campaign_id FROM calls WHERE call_id = 'CA06'") == [
        {"outcome": "failed", "campaign_id": "twilio"}
    ]


HUBSPOT_CONTACTS = (
    "Record ID,First Name,Last Name,Email,Phone Number,Contact owner,Lifecycle Stage,"
    "Lead Status,Create Date,Last Activity Date,Associated Company\n"
    "101,Jeanne,Test,jeanne@example.org,06 12 34 56 78,Owner A,lead,NEW,2024-01-15 10:23,,Acme\n"
    "102,Paul,Test,paul@example.org,+44 20 7946 0958,Owner A,customer,,2024-01-16 11:00,,\n"
    "103,Zoé,Test,zoe@example.org,not a number,Owner B,lead,,2024-01-17 09:00,,\n"
)


def test_hubspot_contacts_phones_to_e164(store: Store, tmp_path: Path) -> None:
    path = write_text(tmp_path, "hubspot-crm-exports-all-contacts-2024-02-01.csv", HUBSPOT_CONTACTS)
    report = import_file(store, None, path, profile="hubspot_contacts", mode="skip-invalid")
    assert (report.inserted, report.rejected) == (2, 1)
    (reject,) = report.rejects
    assert (reject.line, reject.column, reject.value) == (4, "phone", REDACTED)
    assert rows(
        store, "SELECT contact_id, phone, segment, created_at FROM contacts ORDER BY 1"
    ) == [
        {
            "contact_id": "101",
            "phone": "+33612345678",
            "segment": "lead",
            "created_at": dt.datetime(2024, 1, 15, 9, 23),
        },
        {
            "contact_id": "102",
            "phone": "+442079460958",
            "segment": "customer",
            "created_at": dt.datetime(2024, 1, 16, 10, 0),
        },
    ]


def test_hubspot_contacts_pseudonymised(store: Store, tmp_path: Path) -> None:
    path = write_text(tmp_path, "contacts.csv", HUBSPOT_CONTACTS)
    import_file(
        store, None, path, profile="hubspot_contacts", mode="skip-invalid", pseudonymise_key=KEY
    )
    assert rows(store, "SELECT phone FROM contacts WHERE contact_id = '101'") == [
        {"phone": pseudonym(KEY, "+33612345678")}
    ]
    assert "0612" not in str(rows(store, "SELECT * FROM contacts"))


def test_hubspot_deals_labels_and_internal_stages(store: Store, tmp_path: Path) -> None:
    text = (
        "Record ID,Deal Name,Deal Stage,Pipeline,Amount,Close Date,Deal owner,Create Date\n"
        "9001,Big,Closed Won,Sales,12 500,2024-02-01 10:00,Owner A,2024-01-10 09:00\n"
        "9002,Lost,closedlost,Sales,800,2024-02-02 10:00,Owner A,2024-01-11 09:00\n"
        "9003,Open,Appointment Scheduled,Sales,,,Owner B,2024-01-12 09:00\n"
    )
    path = write_xlsx(
        tmp_path / "deals.xlsx", {"Deals": [line.split(",") for line in text.splitlines()]}
    )
    report = import_file(store, None, path, profile="hubspot_deals")
    assert report.inserted == 3
    assert rows(store, "SELECT deal_id, status, amount FROM deals ORDER BY 1") == [
        {"deal_id": "9001", "status": "won", "amount": 12500.0},
        {"deal_id": "9002", "status": "lost", "amount": 800.0},
        {"deal_id": "9003", "status": "open", "amount": None},
    ]


def test_salesforce_report_export_with_footer(store: Store, tmp_path: Path) -> None:
    text = (
        '"Opportunity ID","Opportunity Name","Stage","Amount","Close Date","Created Date","Type"\n'
        '"0061x00000A1","Acme - 1,200 Widgets","Closed Won","1 200,50","15/03/2024","01/02/2024","New Business"\n'
        '"0061x00000A2","Globex","Prospecting","300","30/04/2024","02/02/2024",""\n'
        '"0061x00000A3","Initech","Closed Lost","0","20/03/2024","03/02/2024",""\n'
        "\n"
        '"Grand Totals (3 records)"\n'
        "\n"
        '"Confidential Information - Do Not Distribute"\n'
        '"Copyright © 2000-2024 salesforce.com, inc. All rights reserved."\n'
        '"Generated By: Jane Doe 04/03/2024 10:00"\n'
        '"Acme Org"\n'
    )
    path = write_text(tmp_path, "report1709546400.csv", text, encoding="cp1252")
    report = import_file(store, None, path, profile="salesforce_opportunities")
    assert (report.rows_read, report.inserted, report.encoding) == (3, 3, "cp1252")
    assert rows(store, "SELECT deal_id, status, amount, closed_at, tier FROM deals ORDER BY 1") == [
        {
            "deal_id": "0061x00000A1",
            "status": "won",
            "amount": 1200.5,
            "closed_at": dt.datetime(2024, 3, 14, 23, 0),
            "tier": "New Business",
        },
        {
            "deal_id": "0061x00000A2",
            "status": "open",
            "amount": 300.0,
            "closed_at": None,
            "tier": None,
        },
        {
            "deal_id": "0061x00000A3",
            "status": "lost",
            "amount": 0.0,
            "closed_at": dt.datetime(2024, 3, 19, 23, 0),
            "tier": None,
        },
    ]


def test_salesforce_data_loader_extract(store: Store, tmp_path: Path) -> None:
    text = (
        '"ID","ISDELETED","ACCOUNTID","NAME","STAGENAME","AMOUNT","CLOSEDATE","ISCLOSED","ISWON","CREATEDDATE"\n'
        '"006x0000001YtCrAAK","false","001x0000002xLD0AAM","Acme","Closed Won","500000.0","2005-11-09","true","true","2006-06-15T20:47:07.000Z"\n'
        '"006x0000001YtCsAAK","false","001x0000002xLD0AAM","Acme","Negotiation/Review","50.5","2006-11-09","false","false","2006-06-15T20:47:09.000Z"\n'
    )
    import_file(
        store, None, write_text(tmp_path, "extract.csv", text), profile="salesforce_opportunities"
    )
    assert rows(
        store,
        "SELECT status, amount, created_at, closed_at, contact_id FROM deals ORDER BY deal_id",
    ) == [
        {
            "status": "won",
            "amount": 500000.0,
            "created_at": dt.datetime(2006, 6, 15, 20, 47, 7),
            "closed_at": dt.datetime(2005, 11, 8, 23, 0),
            "contact_id": "001x0000002xLD0AAM",
        },
        {
            "status": "open",
            "amount": 50.5,
            "created_at": dt.datetime(2006, 6, 15, 20, 47, 9),
            "closed_at": None,
            "contact_id": "001x0000002xLD0AAM",
        },
    ]


def test_odoo_leads_export(store: Store, tmp_path: Path) -> None:
    text = (
        "ID,Opportunity,Customer/ID,Email,Stage,Probability,Expected Revenue,Created on,"
        "Closed Date,Source,Campaign\n"
        "__export__.crm_lead_1,Deal A,base.res_partner_12,a@example.org,Won,100.0,1000,"
        "2024-01-02 08:00:00,2024-02-01 16:00:00,Website,Spring\n"
        "__export__.crm_lead_2,Deal B,,b@example.org,Qualified,30.0,500,2024-01-03 08:00:00,,Phone,\n"
        "__export__.crm_lead_3,Deal C,,c@example.org,Lost,0.0,0,2024-01-04 08:00:00,"
        "2024-01-20 10:00:00,Phone,Spring\n"
    )
    report = import_file(
        store, "leads", write_text(tmp_path, "crm.lead.csv", text), profile="odoo_leads"
    )
    assert report.inserted == 3
    assert rows(
        store, "SELECT lead_id, status, converted_at, campaign_id, source FROM leads ORDER BY 1"
    ) == [
        {
            "lead_id": "__export__.crm_lead_1",
            "status": "Won",
            "converted_at": dt.datetime(2024, 2, 1, 16, 0),
            "campaign_id": "Spring",
            "source": "Website",
        },
        {
            "lead_id": "__export__.crm_lead_2",
            "status": "Qualified",
            "converted_at": None,
            "campaign_id": None,
            "source": "Phone",
        },
        {
            "lead_id": "__export__.crm_lead_3",
            "status": "Lost",
            "converted_at": None,
            "campaign_id": "Spring",
            "source": "Phone",
        },
    ]


FRENCH = (
    "Id appel;Date d'appel;Durée;Statut;Campagne;Agent\n"
    "X1;05/01/2024 10:00;12,5;Vente;K1;A1\n"
    "X2;05/01/2024 10:05;0;Pas de réponse;K1;A2\n"
    "X3;05/01/2024 10:07;30;Rappel;K1;A2\n"
)


def test_generic_profile_reads_french_headers(store: Store, tmp_path: Path) -> None:
    report = import_file(
        store, "calls", write_text(tmp_path, "appels.csv", FRENCH), profile="generic"
    )
    assert report.inserted == 3
    assert rows(store, "SELECT call_id, started_at, talk_s, outcome FROM calls ORDER BY 1")[0] == {
        "call_id": "X1",
        "started_at": dt.datetime(2024, 1, 5, 9, 0),
        "talk_s": 12.5,
        "outcome": "sale",
    }


def test_suggest_proposes_a_working_profile(store: Store, tmp_path: Path) -> None:
    path = write_text(tmp_path, "appels.csv", FRENCH)
    suggestion = suggest(path)
    assert suggestion.table == "calls"
    text = suggestion.to_yaml()
    assert "started_at: Date d'appel" in text and "Pas de réponse: no_answer" in text
    profile = write_text(tmp_path, "appels.yaml", text)
    assert import_file(store, None, path, profile=profile).inserted == 3


def test_every_shipped_profile_loads_and_prints(tmp_path: Path) -> None:
    for name in shipped_names():
        profile = load_profile(name, "calls" if name in ("canonical", "generic") else None)
        assert profile.table and profile_yaml(profile).startswith("name:")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\ntable: calls\ncolumns: {call_id: a}\n", "no mapping for required column(s)"),
        ("name: x\ntable: calls\ncolumns: {nope: a}\n", "columns.nope: calls has no such column"),
        (
            "name: x\ntable: calls\ncolumns: {call_id: a, campaign_id: b, started_at: c, "
            "outcome: {from: d, map: {X: won}}}\n",
            "won not among",
        ),
        ("name: x\ntable: calls\ncolumns: {call_id: {from: a, value: b}}\n", "exactly one of"),
        ("name: x\ncolumns: {}\n", "a profile names its table"),
        ("- not\n- a mapping\n", "a profile is a YAML mapping"),
        ("name: x\ntable: calls\nwhat: 1\n", "what: Extra inputs are not permitted"),
    ],
)
def test_invalid_profiles_are_explained(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(DataImportError, match=re.escape(message)):
        load_profile(write_text(tmp_path, "p.yaml", text), None)


def test_unknown_profile_name_and_table_mismatch() -> None:
    with pytest.raises(UnknownNameError, match="did you mean 'asterisk_cdr'"):
        load_profile("asterisk", None)
    with pytest.raises(DataImportError, match="loads table calls, not deals"):
        load_profile("asterisk_cdr", "deals")
