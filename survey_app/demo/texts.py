"""Free-text answers for demo data: what participants write, including what they should not.

Why a module of its own: these are content, not logic, and they include deliberately
hostile strings (markup that tries to make WeasyPrint fetch files, an unbroken 1,500-character
token) that the report must escape and wrap; keeping them in one place makes them easy to
find when a test or a reviewer asks "what exactly do we feed the report?".
"""

from __future__ import annotations

#: "Other" organisation types, as participants type them.
OTHER_ORGANISATIONS = (
    "Bar association",
    "National human rights institution",
    "Trade union",
    "Faith-based organisation",
    "Independent journalist",
    "Community-based organisation",
    "Foundation / donor",
    "Parliamentary staff",
)

#: "Other" answers to multi-choice questions, by question id.
OTHER_CHOICES = {
    "engagement_channels": (
        "Side event at the Conference of the Parties",
        "Informal meeting with the focal point",
        "Regional civil society network submission",
    ),
    "preferred_formats": ("Short videos", "Podcasts", "WhatsApp group with the trainers"),
    "follow_up_actions": (
        "Organise a national roundtable",
        "Translate the materials for our members",
        "Write an op-ed",
    ),
}

COMMENTS_EN = (
    "Please share the slides and the reading list before the training.",
    "We need practical examples of how NGOs have contributed to the review mechanism.",
    "It would help to have a session with the government focal point present.",
    "Our organisation is small; online sessions are easier for us than travel.",
    "Interpretation into local languages would make it accessible to our partners.",
    "More time on case studies from Southeast Asia, please.",
    "Could the training cover how to prepare a written submission step by step?",
    "We work mainly with survivors of trafficking; victim support should be central.",
    "Cybercrime and online scams are growing fast in our country. Please include them.",
    "I would like a certificate of participation for my organisation.",
    "Please avoid scheduling during Ramadan.",
    "A follow-up mentoring session three months later would be very useful.",
    "Data collection is our weak point: we do not know where to find official statistics.",
    "Thank you for including academia. We can help with research on the protocols.",
    "Private sector compliance teams need a shorter, more focused module.",
    "Safety of participants matters: some of us face pressure for speaking out.",
    "Good initiative.",
    "No further comments.",
    "How will the results of this survey be shared with participants?",
    "Please send the materials in a format that works on a phone with a slow connection.",
    'We would like to know more about the "constructive dialogues" and who can attend.',
    "Engaging government is hard when there is no focal point. Any advice welcome!",
)

COMMENTS_IMPROVE = (
    "Too much content for one day; spread it over two days.",
    "The sessions on the review mechanism went too fast for newcomers.",
    "More group work and fewer lectures.",
    "The online connection kept dropping; record the sessions, please.",
    "Include a government speaker next time.",
    "Translation was not available for all sessions.",
    "The case studies were not relevant to our country.",
    "Start with the basics: many of us had never heard of the protocols.",
)

#: Comments in the scripts the report fonts must cover, by the country most likely to send them.
COMMENTS_BY_COUNTRY = {
    "TH": (
        "อยากให้มีการอบรมเรื่องกลไกการทบทวนอนุสัญญาเป็นภาษาไทย",
        "ขอบคุณสำหรับโอกาสนี้ค่ะ องค์กรของเราทำงานด้านการค้ามนุษย์ในภาคเหนือ",
    ),
    "KH": (
        "សូមអរគុណ។ យើងត្រូវការការបណ្តុះបណ្តាលបន្ថែមអំពីការជួញដូរមនុស្ស។",
        "សូមចែករំលែកឯកសារជាភាសាខ្មែរ។",
    ),
    "IN": (
        "कृपया प्रशिक्षण सामग्री हिंदी में भी उपलब्ध कराएँ। धन्यवाद।",
        "सरकार के साथ संवाद कैसे शुरू करें, इस पर एक सत्र होना चाहिए।",
    ),
    "PK": ("براہ کرم تربیتی مواد اردو میں بھی فراہم کریں۔",),  # noqa: RUF001 -- Urdu full stop
    "AE": ("نرجو توفير المواد التدريبية باللغة العربية، وشكراً لكم.",),
    "JO": ("نحتاج إلى أمثلة عملية عن مشاركة المجتمع المدني في آلية الاستعراض.",),
}

#: Printed by the first respondents who comment, so even a small demo shows each script.
#: (Markup and very long unbroken strings are tested in tests/, not shown to a new user:
#: the demo's first report should look like a real one.)
SPECIAL_COMMENTS = (
    COMMENTS_BY_COUNTRY["TH"][0],
    COMMENTS_BY_COUNTRY["KH"][0],
    COMMENTS_BY_COUNTRY["AE"][0],
    COMMENTS_BY_COUNTRY["IN"][0],
)
