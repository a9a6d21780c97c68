"""Addresses normalized at less than half the cost, so that importing parcels and
buildings stays fast with their stored keys:

- ``address_key(text)`` drops the country, city and district words phrase by phrase, the
  longer phrases first, then the single words in one pass (one alternation of all nine cost
  more than the rest together); the same keys (that alternation was greedy: it took the
  longest phrase);
- ``address_tokens`` is no longer stored nor indexed (it normalized every address a second
  time, and its index cost as much again): the words of a stored key are
  ``address_key_tokens(address_key)``, and addresses with the same words are found through
  the trigram index on the key (the same words have the same trigrams).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# the words of this revision (as migration 0013's): street types and house parts spelled one
# way, and what names the country, the city and its districts, dropped
WORDS = (
    ("улица|ул", "ул"), ("проспект|просп|пр-кт|пр-т|пркт", "пр-кт"), ("переулок|пер", "пер"),
    ("шоссе|ш", "ш"), ("набережная|наб", "наб"), ("бульвар|б-р|бульв", "б-р"),
    ("площадь|пл", "пл"), ("проезд|пр-д", "проезд"), ("тупик|туп", "туп"),
    ("микрорайон|мкр|мкрн", "мкр"), ("дом|д", "д"), ("корпус|корп|к", "к"),
    ("строение|стр|с", "с"), ("владение|вл", "вл"),
)
DROPPED = ("российская федерация", "россия", "город федерального значения", "город", "г",
           "москва", "муниципальный округ", "вн тер г", "внутригородская территория")
TABLES = ("parcels", "buildings")


def _address_key_sql(dropped_one_by_one: bool) -> str:
    text_ = "lower(replace(address, 'ё', 'е'))"
    text_ = f"regexp_replace({text_}, '[.,;:№\"«»()]', ' ', 'g')"  # punctuation → spaces
    text_ = f"regexp_replace({text_}, '\\m\\d{{6}}\\M', ' ', 'g')"  # postcodes
    for words, canonical in WORDS:
        text_ = f"regexp_replace({text_}, '(^|\\s)({words})(?=\\s|$)', '\\1{canonical}', 'g')"
    if dropped_one_by_one:
        for phrase in sorted((p for p in DROPPED if " " in p), key=len, reverse=True):
            text_ = f"regexp_replace({text_}, '(^|\\s){phrase}(?=\\s|$)', ' ', 'g')"
        words = "|".join(p for p in DROPPED if " " not in p)
        text_ = f"regexp_replace({text_}, '(^|\\s)({words})(?=\\s|$)', ' ', 'g')"
    else:
        text_ = f"regexp_replace({text_}, '(^|\\s)({'|'.join(DROPPED)})(?=\\s|$)', ' ', 'g')"
    return f"btrim(regexp_replace({text_}, '\\s+', ' ', 'g'))"


def _address_key(dropped_one_by_one: bool) -> str:
    return f"""
CREATE OR REPLACE FUNCTION address_key(address text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
    SELECT {_address_key_sql(dropped_one_by_one)}
$$
"""


def upgrade() -> None:
    op.execute(_address_key(True))
    for table in TABLES:
        op.drop_index(f"{table}_address_tokens", table)
        op.drop_column(table, "address_tokens")


def downgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("address_tokens", sa.Text(),
                                       sa.Computed("address_tokens(address)", persisted=True)))
        op.create_index(f"{table}_address_tokens", table, ["address_tokens"])
    op.execute(_address_key(False))
