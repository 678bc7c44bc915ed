"""Migrations corrected after they were applied, with what a ledger may hold.

A ledger row written before the runner checksummed only a file's body holds the sha256 of the whole file as it
was then. For the files below only the header changed since (its "Down checked" line named a script outside the
repository, now the round-trip test), so that old whole-file checksum still means "this SQL": it is accepted
while the file's body is the one recorded here, and a change to the body is drift as always.
tests/harness/test_migrations.py checks each entry against the file.
"""

from __future__ import annotations

from typing import NamedTuple


class HeaderEdit(NamedTuple):
    """The whole file's sha256 before its header was edited, and its body's sha256 (unchanged by the edit)."""

    whole_file_before: str
    body: str


HEADER_EDITS: dict[int, HeaderEdit] = {
    # 0002_create_private_schema.up.sql
    2: HeaderEdit("c2471f73f2ca77a5a4eab1ffa1571738136f36e920849d6f7639271990870e77",
              "2376c10ceef9f21f79d7911a660615e6205c897b104b9f1fab9763dceeae14fd"),
    # 0003_create_enum_types.up.sql
    3: HeaderEdit("81735c8734e8ae448e5fc502e305e88b4295100493240c2be0e44f9c36ba2413",
              "d009445e3232fef0a8c850a0207c490d1acb4d42efa83540d89f5ec8c9474718"),
    # 0004_create_audit_log.up.sql
    4: HeaderEdit("16fbd1f1d84cf3ea7c67957db7c2cf97104d9030641fda65b1beecb057ecb559",
              "349948076b0be2544e69e1e9016c5d1c0ccc9aad308e0073795155cd54f50258"),
    # 0005_create_user_tables.up.sql
    5: HeaderEdit("6ba27c6d2c01af24edae7f7819f869588c7674fa2505f1fe963df3d567b26803",
              "0b55272f4de2f896715c25c9ea9db3159b90fd58667f7bf477647d076b5cec65"),
    # 0006_create_client_tables.up.sql
    6: HeaderEdit("c8860713a8887f449f028c2425a8b435ff93d9519d9363ff89ce1c509f667602",
              "ff0c4081ee3d4d72f8c099c8d860e8583f47bfeb0797095194bff4fed0f77499"),
    # 0007_create_core_field_catalog.up.sql
    7: HeaderEdit("fc413c1ca6c4f1cfc0f3019842a01c649d0a2637c722e28da628a8dc2a9e264f",
              "290d4b8e78e4822a92d581cdafdc148a1f7404c7adca211d431fbef031d7a7f8"),
    # 0008_create_access_helpers.up.sql
    8: HeaderEdit("280979339ddeb9712694558f19454c6bd6c242d790e1446769076f662875ba3c",
              "5a5c7c7e6680bf49c00c186e256611de64ce43b35a7fa8500bda1f4a8005c01a"),
    # 0009_add_audit_log_policies.up.sql
    9: HeaderEdit("11a1aa94b6c17f991779ef8f95a0daeb03cd68f07181ec958c71eb28023c2718",
              "0c5756d8746f52a63eb9b6a9fb00fc664c239432792df779ba5adbca3b410ae4"),
    # 0010_add_user_policies.up.sql
    10: HeaderEdit("2b5a924b83b5eac7a5d65488e9907932fc1f1d864be7e7bc41665f869611fa0e",
              "66bd4c0e4ae0287b65fa97558547b25b85e3615cc6c0dfd4508dd1d461b4d8c6"),
    # 0011_add_client_policies.up.sql
    11: HeaderEdit("be33d26c0df8b2cb34549c7a3673ea6511d33e91c5bde7f035e8bcb854fce5a5",
              "5a9a922e5b3555bde35fb74cb7bc8ad77546a9531a4b4f6b28ca49ec9a332eda"),
    # 0012_add_core_field_catalog_policies.up.sql
    12: HeaderEdit("55eda90221ce3528a24b72d1ab2456f0f0f914748e9f027ed8d842870c2b0610",
              "6f4c433b172271723fa2e337d64e45a210763a2a904b82659c8220f661a8b7cb"),
    # 0013_create_core_field_values.up.sql
    13: HeaderEdit("c135cb07040d242f36d740dfbd42b377cdf14160b24339895ff8409416c2b935",
              "1e03c892e77f55d131d9831c1082d75deb72f7c09fbbd98dc03243e9424ec7a7"),
    # 0014_add_core_field_value_policies.up.sql
    14: HeaderEdit("cd91b0bd4f43c6d215044347ff7d5b396b3f471a20991f538583db3efa6254b1",
              "beda95d8cc7b608ec2744758141d55d57568388461416a34485d8b17d24d180e"),
    # 0015_create_form_tables.up.sql
    15: HeaderEdit("8ef13ab5398a2ca1d3afcd4b3e797993b46513de1c3e452e6f0d2f729b28e610",
              "6cd1f5f6ed1a69f544a75f6ad00cdedc294abc8663b94ad7198ab594094e1181"),
    # 0016_add_form_policies.up.sql
    16: HeaderEdit("05c43c30c62a0aa023e914b80e68a63b3ae16ca0f60272f5d3888f47bc98c36b",
              "ef4616c847f20e071767887cecc75ddd8932f595a3cbe7c01df461539479196b"),
    # 0017_create_communication_tables.up.sql
    17: HeaderEdit("081b8b663f4b49ffabd3e86d739776217f3f81d4c7c18230549800368b4c34ac",
              "d96db1e93a7229e2283138e6d0459e92e30b07fcb69ba7f8f5f506c96693c769"),
    # 0018_add_communication_policies.up.sql
    18: HeaderEdit("545c21bf55935bec5ea41783b0db38778abd00006d34f5fbb3f46b151a8c51de",
              "eae4b0f0cef41928c99234e7c7de1463ee7c30db4ba43a615ddc35eff3390235"),
    # 0019_create_journey_tables.up.sql
    19: HeaderEdit("268a0a825e1114f9f753d52a9b1bc5485a2b2ba6df598e486480a5ce9f05a9ee",
              "fd96ad3026f92312f4c225af17ff42b799f1a98c5d928fa1a737179a9e16f57c"),
    # 0020_add_journey_policies.up.sql
    20: HeaderEdit("e1c13859b3cdedddd118cafbe8e74e2f06c23765f1b4954ddab02427ad5b0470",
              "0b81a0d227383b64a0f7f912a6c22baacbba8ae0ed36836050a73cc6e6dbb40e"),
    # 0021_create_analytics_tables.up.sql
    21: HeaderEdit("54b2197e892ea70a9ad951a25a906a6b74b49d4b08c48aef58f3e4d5f763af26",
              "74d67529ecc52c8303a63454472aa62309248cf342eb9354e24a29ed189d0b7b"),
    # 0022_add_analytics_policies.up.sql
    22: HeaderEdit("37e440268b22c85173113c2802f5248c8a50eec1f766cf0e00c4b34cd200b140",
              "2a75828ba81ae5cb6e7e59b8fbb0b3a2532dbb1c73314a487a86b90f5c68ed92"),
    # 0023_create_marketplace_tables.up.sql
    23: HeaderEdit("4751cfb98928f0630e54cdfeb46577002e88d6e51a66242adda4d20ef5f1e8e1",
              "61136d98b801d121b6e05c00b63ba86d33e8efd26899cba13945d8b6260932bd"),
    # 0024_add_marketplace_policies.up.sql
    24: HeaderEdit("d50b8a755142e9772d77a0e1709082f685cb9f578b3598434dc8b07fb2ebc696",
              "c9b4d48a5cd07982e2b83c13ed42c2bc1ed1f931acf47c0b13c61cf32d97ab95"),
    # 0025_create_dashboard_views.up.sql
    25: HeaderEdit("e4d906da2b2d00b5a07f62459f6aaba89dff331802dba79d268cac5e3f4a9184",
              "0054f31ed8e4787c922a1a5c713fa7ecf3453f74167d8b46de5e97fce0412e6a"),
    # 0026_create_core_field_functions.up.sql
    26: HeaderEdit("5ac6f5b29d7ff1d586915f089b94d5319bd32d3a6e1c3f204edcabf8b4aba3d7",
              "f547ca8ff96f5d49029290c788afd68b8346c67f63da98aed144163b3ddef78d"),
    # 0027_create_gdpr_erase_function.up.sql
    27: HeaderEdit("037b5badadce56fddc2257bb7c1c0da8f6314e2298623485157e92e50bc76028",
              "a8d9654117447912f168d5e4967cd08675822fe6dfb30242a9a5bcea67ba5ab7"),
    # 0028_create_audit_retention_function.up.sql
    28: HeaderEdit("b4c6cd6359f0a0dd41853248248087ccddcef567c3ba7e6650c82cf4766cdd82",
              "9b3b93c9752ae3fb73e29cc415d06561aca73e6c039704cc536592b6b0aff4b6"),
    # 0029_add_realtime_publication_tables.up.sql
    29: HeaderEdit("0fb4945c5495892bb01d227a94d4428e54ba578de408db9e9227291436a3f5f3",
              "6cbda5923051a9b4e712b5b7e5efcd8a45d7ed13a6a5f15fea013869ddb62f31"),
}


class BodyFix(NamedTuple):
    """A body corrected after it was applied, where the old body could only ever have been applied to an empty
    table (on any row it failed, and was rolled back whole) and the new one leaves the same catalog: a ledger
    holding the old body's sha256 holds this SQL's effect, so it is accepted while the file's body is ``body``."""

    body_before: str
    body: str


BODY_FIXES: dict[int, BodyFix] = {
    # 0084_add_form_response_completion.up.sql: its checks are added not valid and validated after the backfill;
    # before, the third refused the columns' defaults on any existing response, so the migration applied only
    # where form_responses was empty (a fresh database), where both bodies give the same catalog.
    84: BodyFix("92848fedee0c7227c763dcd855ddb76ba8b9aa60919a6208e35c57af5a93876f",
                "93f2f009ef06fba29769f86704a2689fdfd91dd8b2f34e19591e8af987172874"),
}
