"""Reference code lists for entity ids: ISO 3166-1 alpha-3 and JIS X 0401 prefecture codes.

ISO3: the 249 officially assigned ISO 3166-1 alpha-3 codes, as listed by the iso-codes project
(Debian package iso-codes 4.15.0, ``iso_3166-1.json``). User-assigned codes that some publishers use
(XKX for Kosovo, EUU for the European Union) are not in it: ``trustindex check`` warns about them.
JIS X 0401: the 47 prefecture codes with their names in Japanese and in the romanisation of ISO 3166-2:JP.
"""

from __future__ import annotations

ISO3 = frozenset(
    """
    ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA BGD BGR BHR BHS BIH BLM
    BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN CIV CMR COD COG COK COL COM CPV CRI CUB CUW CXR
    CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU EGY ERI ESH ESP EST ETH FIN FJI FLK FRA FRO FSM GAB GBR GEO GGY GHA GIB
    GIN GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM GUY HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA
    JAM JEY JOR JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAC MAF MAR MCO MDA
    MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT NAM NCL NER NFK NGA NIC NIU NLD NOR
    NPL NRU NZL OMN PAK PAN PCN PER PHL PLW PNG POL PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA SAU SDN SEN SGP SGS
    SHN SJM SLB SLE SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK TKL TKM TLS TON
    TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN VGB VIR VNM VUT WLF WSM YEM ZAF ZMB ZWE
    """.split()  # noqa: SIM905 (a list of 249 literals would hide the table)
)

PREFECTURES = {
    "01": ("北海道", "Hokkaido"),
    "02": ("青森県", "Aomori"),
    "03": ("岩手県", "Iwate"),
    "04": ("宮城県", "Miyagi"),
    "05": ("秋田県", "Akita"),
    "06": ("山形県", "Yamagata"),
    "07": ("福島県", "Fukushima"),
    "08": ("茨城県", "Ibaraki"),
    "09": ("栃木県", "Tochigi"),
    "10": ("群馬県", "Gunma"),
    "11": ("埼玉県", "Saitama"),
    "12": ("千葉県", "Chiba"),
    "13": ("東京都", "Tokyo"),
    "14": ("神奈川県", "Kanagawa"),
    "15": ("新潟県", "Niigata"),
    "16": ("富山県", "Toyama"),
    "17": ("石川県", "Ishikawa"),
    "18": ("福井県", "Fukui"),
    "19": ("山梨県", "Yamanashi"),
    "20": ("長野県", "Nagano"),
    "21": ("岐阜県", "Gifu"),
    "22": ("静岡県", "Shizuoka"),
    "23": ("愛知県", "Aichi"),
    "24": ("三重県", "Mie"),
    "25": ("滋賀県", "Shiga"),
    "26": ("京都府", "Kyoto"),
    "27": ("大阪府", "Osaka"),
    "28": ("兵庫県", "Hyogo"),
    "29": ("奈良県", "Nara"),
    "30": ("和歌山県", "Wakayama"),
    "31": ("鳥取県", "Tottori"),
    "32": ("島根県", "Shimane"),
    "33": ("岡山県", "Okayama"),
    "34": ("広島県", "Hiroshima"),
    "35": ("山口県", "Yamaguchi"),
    "36": ("徳島県", "Tokushima"),
    "37": ("香川県", "Kagawa"),
    "38": ("愛媛県", "Ehime"),
    "39": ("高知県", "Kochi"),
    "40": ("福岡県", "Fukuoka"),
    "41": ("佐賀県", "Saga"),
    "42": ("長崎県", "Nagasaki"),
    "43": ("熊本県", "Kumamoto"),
    "44": ("大分県", "Oita"),
    "45": ("宮崎県", "Miyazaki"),
    "46": ("鹿児島県", "Kagoshima"),
    "47": ("沖縄県", "Okinawa"),
}
"""JIS X 0401 code → (name in Japanese, name in English)."""
