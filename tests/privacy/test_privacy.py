"""Personal data: masked in what is stored (linking still works), and a customer erased for good."""

from collections import Counter

import pytest

import voice
from tests.helpers import write_customers
from voice.errors import NotFound
from voice.privacy import mask

EML = """From: Ana Ruiz <cliente0@gmail.example>
To: soporte@lunahogar.example
Subject: Reembolso a mi cuenta ES91 2100 0418 4502 0005 1332
Date: Mon, 05 Oct 2026 10:{minute:02d}:00 +0200
Message-ID: <{mid}@gmail.example>

Hola, soy Ana (DNI 12345678Z). Devolvedme el dinero a la tarjeta 4111 1111 1111 1111 o llamadme al
612 345 678; mi otro correo es ana.personal@correo.example. El pedido 1234 5678 9012 3456 no llegó.
"""


def test_mask_finds_what_identifies_a_person_and_checks_it():
    counts = Counter()
    text = ("ana@x.example, +34 612-345-679, ES91 2100 0418 4502 0005 1332, 4111-1111-1111-1111, 12345678Z, "
            "X1234567L, 123-45-6789; pedido 1234 5678 9012 3456, ref 12345678A, 4111 1111 1111 1112")
    assert mask(text, counts) == ("[EMAIL], [PHONE], [IBAN], [CARD], [ID], [ID], [ID]; pedido 1234 5678 9012 3456, "
                                  "ref 12345678A, 4111 1111 1111 1112")  # failed checks stay as written
    assert counts == {"[EMAIL]": 1, "[PHONE]": 1, "[IBAN]": 1, "[CARD]": 1, "[ID]": 3}
    assert mask("Sin datos personales.") == "Sin datos personales." and mask(None) is None


def _mail(folder, n=2):
    folder.mkdir(exist_ok=True)
    for i in range(n):
        (folder / f"{i}.eml").write_text(EML.format(minute=i, mid=f"m{i}"), encoding="utf-8")
    return folder


def test_with_redact_nothing_personal_is_stored_yet_the_customer_is_linked(tmp_path):
    with voice.init(tmp_path / "v.db", company_domains=["lunahogar.example"], redact=True) as v:
        v.import_customers([write_customers(tmp_path / "crm.csv")])
        report = v.ingest([_mail(tmp_path / "mail", 1)])
        assert report.added == 1 and report.linked == 1
        subject, text, raw, customer = v.store.db.execute(
            "select subject, text, raw, customer_id from interactions").fetchone()
        assert customer == "C000"  # linked by the sender's address, kept apart from the text
        for secret in ("ES91", "4111", "612 345 678", "12345678Z", "ana.personal@", "cliente0@gmail"):
            assert secret not in subject + text + raw, secret
        assert "[IBAN]" in subject and "[CARD]" in text and "[PHONE]" in text and "[ID]" in text
        assert "1234 5678 9012 3456" in text  # an order number is not a card (Luhn)
        handles = {r[0] for r in v.store.db.execute("select value from interaction_handles")}
        assert "ana.personal@correo.example" in handles  # found in the text before masking, for linking
        assert v.search("ana.personal") == [] and v.search("4111") == []  # nothing in the full-text index
        v.analyze()
        stored = " ".join(r[0] for r in v.store.db.execute("select text from sentences"))
        assert "4111" not in stored and "ana.personal" not in stored


def test_redact_masks_what_was_stored_and_drops_its_analysis(tmp_path):
    with voice.init(tmp_path / "v.db", company_domains=["lunahogar.example"]) as v:
        v.ingest([_mail(tmp_path / "mail", 1)])
        v.analyze()
        assert "4111" in v.store.db.execute("select text from interactions").fetchone()[0]
        saved = [tmp_path / "v.db.vectors", tmp_path / "v.db.ann"]  # as search at scale leaves them
        for f in saved:
            f.write_bytes(b"vectors of the unmasked texts")
        from voice.report import report_data

        report_data(v.store)
        saved.append(tmp_path / "v.db.report.json")  # the whole store's report, kept: it quotes the texts
        assert saved[-1].exists()
        r = v.redact()
        assert not any(f.exists() for f in saved)
        assert r.interactions == 1 and r.masked["[CARD]"] == 1 and r.masked["[EMAIL]"] == 1
        assert "4111" not in v.store.db.execute("select text from interactions").fetchone()[0]
        assert v.store.db.execute("select count(*) from sentences").fetchone()[0] == 0  # they held the numbers
        v.analyze()
        assert v.store.db.execute("select count(*) from analyses").fetchone()[0] == 1
        v.ingest([_mail(tmp_path / "more", 2)])  # later ones are masked as they come
        assert all("4111" not in t for (t,) in v.store.db.execute("select text from interactions"))


def test_forget_erases_a_customer_and_they_do_not_come_back(tmp_path):
    crm = write_customers(tmp_path / "crm.csv")
    mail = _mail(tmp_path / "mail", 2)
    with voice.init(tmp_path / "v.db", company_domains=["lunahogar.example"]) as v:
        v.import_customers([crm])
        v.ingest([mail])
        v.analyze()
        v.score(as_of="latest")
        db = v.store.db
        ids = [r[0] for r in db.execute("select id from interactions where customer_id = 'C000'")]
        assert len(ids) == 2 and db.execute("select count(*) from sentences").fetchone()[0] > 0
        vectors = db.execute("select count(*) from embeddings").fetchone()[0]
        from voice.report import report_data

        report_data(v.store)  # the whole store's report, kept beside it: it may quote C000
        assert (tmp_path / "v.db.report.json").exists()
        r = v.forget("C000")
        assert not (tmp_path / "v.db.report.json").exists()
        assert r.removed["interactions"] == 2 and r.removed["customers"] == 1 and r.removed["sentences"] > 0
        assert r.removed["vectors"] > 0 and db.execute("select count(*) from embeddings").fetchone()[0] < vectors
        marks = ",".join("?" * len(ids))
        for table in ("interactions", "turns", "interaction_handles", "analyses", "sentences", "intents",
                      "keyphrases", "mentions", "experience"):
            key = "id" if table == "interactions" else "interaction_id"
            assert db.execute(f"select count(*) from {table} where {key} in ({marks})", ids).fetchone()[0] == 0, table
        for table in ("customers", "identities", "interest", "relationships", "open_loops", "experience"):
            col = "id" if table == "customers" else "customer_id"
            assert db.execute(f"select count(*) from {table} where {col} = 'C000'").fetchone()[0] == 0, table
        assert v.search("reembolso") == []  # gone from the full-text index too
        kept = {r[0] for r in db.execute("select value_hash from forgotten")}
        assert kept and not any("cliente0" in h for h in kept)  # hashes, not the handles
        # the same sources again: the customer does not come back
        assert v.import_customers([crm]).forgotten == 1
        again = v.ingest([mail])
        assert again.added == 0 and again.forgotten == 2
        assert db.execute("select count(*) from customers where id = 'C000'").fetchone()[0] == 0
        assert db.execute("select count(*) from customers").fetchone()[0] == 2  # the others stay
        with pytest.raises(NotFound):
            v.forget("C000")
