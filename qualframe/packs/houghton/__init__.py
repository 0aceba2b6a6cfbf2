"""The Houghton et al. (2024) pack: heroin use with opioid replacement therapy, groupthink, buying cohorts.

Houghton, Kouimtsidis, Duka, Paloyelis, Bailey and Notley (2024) interviewed 14 men who use heroin
alongside opioid replacement therapy in the UK, coded the transcripts against Janis's symptoms of
groupthink, found networks shifting from shared moments to transactional exchange, and proposed
interventions delivered to cohorts of people who buy heroin together. Everything here is that
study's subject matter, as data: the codebooks, the words of UK heroin talk that cue buying
together, using, abstaining and dealing, the case attributes that record buying with others, the
``houghton-2024`` scenario and the demo. It is qualframe's default pack, so every study that names
no pack reads it.
"""

from __future__ import annotations

from importlib import resources

from qualframe.pack import DemoSpec, NetworkVocabulary, StudyPack

__all__ = ["GROUPTHINK_EVIDENCE", "NETWORK", "PACK", "SCENARIOS"]

_HERE = resources.files(__name__)

#: The words of UK interview talk about heroin use that network extraction reads. Each is a cue
#: for a suggestion a researcher reviews, not a rule.
NETWORK = NetworkVocabulary(
    # Buying together: pooling money, going halves, buying off the same dealer.
    cohort_cue=(
        r"chip(?:s|ped|ping)?\s+in|go(?:es|ing)?\s+halves|went\s+halves|halves|put(?:s|ting)?\s+in\s+(?:together|with)|"
        r"put\s+together|we\s+put\s+in|pool(?:s|ed|ing)?|split\s+it|club(?:bed|bing)?\s+together|"
        r"(?:buy|buys|buying|bought|score|scoring|get|getting)\s+(?:\w+\s+)?(?:off|from)\s+the\s+same|"
        r"(?:buy|score|scoring|buying)\s+together|get(?:ting)?\s+it\s+together|sort\s+it\s+between|"
        r"we\s+(?:all\s+)?(?:buy|score|get)\s+(?:off|from)"
    ),
    cohort_tie="co-buying",
    uses_cue=(
        r"(?:he|she|they)(?:['’](?:s|re|d)|\s+(?:is|was|were|are|had\s+been|has\s+been))\s+(?:still\s+|already\s+|"
        r"always\s+|been\s+)?(?:using|on\s+(?:a|the)\s+script|on\s+(?:the\s+)?gear|at\s+it|dabbling|smoking\s+it|"
        r"clucking|a\s+user|hooked)|(?:he|she|they)\s+(?:uses|used|smokes|smoked|injects|scores|scored)|dabbl\w*|"
        r"junkie|smackhead|go(?:es)?\s+halves|chip\s+in|(?:use|using|used)\s+together|"
        r"we(?:['’]d|\s+would)?\s+(?:all\s+)?(?:use|used|were\s+using)"
    ),
    abstains_cue=(
        r"(?:doesn['’]t|does\s+not|don['’]t|never|didn['’]t|wouldn['’]t|won['’]t)\s+(?:use|touch|do\s+(?:it|gear|drugs))|"
        r"never\s+has|never\s+used|(?:is|been|she['’]s|he['’]s|stayed)\s+clean|not\s+in\s+it|straight\s+(?:as|edge)|"
        r"doesn['’]t\s+touch"
    ),
    supplier_cue=(
        r"dealer|dealing|deals|sells|selling|on\s+(?:a\s+)?tick|tick\s+till|(?:buy|buying|bought|get|"
        r"getting|got|score|scoring|scored)\s+(?:it\s+|gear\s+|a\s+bag\s+)?(?:off|from)\s+(?:him|her)"
    ),
    supplier_role="dealer",
    role_words=("dealer",),
    role_nouns=((r"dealer|plug|connect|supplier", "dealer", "dealer", False),),
    role_phrases=(
        (r"the\s+man", "dealer", "dealer", False),
        (r"the\s+dealer", "dealer", "dealer", False),
    ),
    question_roles=((r"dealer", "dealer"),),
    cohort_attributes={
        "buys_with_others": True,
        "buys_with": True,
        "co_buying": True,
        "cobuying": True,
        "buys_together": True,
        "buys_alone": False,
    },
    cohort_code=("houghton-2024", "Buying together"),
    # When a sentence is set in the pathway: school and childhood, first and weekend use, the
    # habit, and treatment on a script.
    phase_cues=(
        (
            "pre-use",
            r"\b(?:(?:at|in|back\s+in|primary|secondary|high)\s+school|as\s+a\s+(?:kid|child|nipper|lad|boy|"
            r"teenager)|when\s+i\s+was\s+(?:a\s+)?(?:kid|little|young|small|\d{1,2})|growing\s+up|grew\s+up|"
            r"before\s+(?:all\s+this|drugs|any\s+of\s+(?:it|this)|i\s+(?:ever\s+)?(?:touched|took|used|started))|"
            r"juniors|since\s+we\s+were\s+(?:kids|little|nippers)|(?:my|me)\s+childhood|year\s+(?:seven|eight|nine))\b",
        ),
        (
            "recreational",
            r"\b(?:(?:when\s+i\s+)?first\s+(?:started|tried|took|had|used|smoked)|the\s+first\s+time|"
            r"(?:at\s+)?weekends?|(?:at|after)\s+(?:parties|a\s+party|raves?)|now\s+and\s+(?:then|again)|"
            r"back\s+then|at\s+first|that\s+first\s+year|dabbl\w*|under\s+control|take\s+it\s+or\s+leave\s+it|"
            r"recreational\w*|for\s+a\s+laugh|the\s+early\s+days|in\s+the\s+beginning|it\s+used\s+to\s+be|"
            r"we\s+used\s+to)\b",
        ),
        (
            "dependent",
            r"\b(?:every\s+(?:single\s+)?day|clucking|cluck(?:ed|s)?|rattl\w+|hooked|(?:my|me|a)\s+habit|"
            r"strung\s+out|graft\w*|shoplift\w*|at\s+my\s+worst|when\s+i\s+was\s+(?:bad|really\s+bad)|"
            r"before\s+(?:i\s+(?:got|went)\s+on\s+)?(?:the|a|my|me)\s+script|by\s+then|from\s+then\s+on|"
            r"daily|dependen\w+|addicted|couldn['’]t\s+go\s+a\s+day)\b",
        ),
        (
            "treatment",
            r"\b(?:(?:now|since)\s+i['’]?(?:m|\s+am|ve\s+been|\s+have\s+been)\s+on|on\s+(?:the|a|my|me)\s+script|"
            r"these\s+days|nowadays|at\s+the\s+(?:moment|minute)|right\s+now|now(?!\s+and\s+(?:then|again))|"
            r"methadone|meth|subutex|bupe|buprenorphine|detox|rehab|key\s*worker|the\s+chemist|supervised|"
            r"the\s+service|in\s+treatment|on\s+top)\b",
        ),
    ),
)

#: ``houghton-2024`` adds to the neutral defaults the two assumptions that give cohort delivery its
#: edge (a joint quit attempt, members hearing each other's wish to stop), as the study's account
#: of groupthink suggests but does not measure.
SCENARIOS = {
    "houghton-2024": {
        "name": "houghton-2024",
        "description": (
            "The default scenario plus the study's account of being reached together: a joint quit attempt "
            "(quit_attempt 0.5) and members hearing each other's hidden wish to stop (cohort_disclosure 1)."
        ),
        "intervention.quit_attempt": 0.5,
        "intervention.cohort_disclosure": 1.0,
    },
}

_CODEBOOKS = ("janis-groupthink", "network-ties", "houghton-2024")

#: Said in the report's Limitations when a study applies Janis's framework deductively.
GROUPTHINK_EVIDENCE = (
    "Groupthink's empirical support is contested. Janis built the concept from retrospective case "
    "studies of policy fiascoes; later reviews found that the eight symptoms rarely cohere as he "
    "described and that experimental support is partial (Aldag & Fuller, 1993; Esser, 1998). Finding "
    "some symptoms in talk about a group is therefore not evidence that the group's decisions show "
    "groupthink as a whole, and the symptoms coded here describe how participants talk about their "
    "groups, not a measured group process."
)

PACK = StudyPack(
    name="houghton",
    title="Social influences on continued heroin use (Houghton et al. 2024)",
    description=(
        "Men who use heroin alongside opioid replacement therapy in the UK: Janis's groupthink codebook, "
        "network ties by life phase, cohorts of people who buy together, the houghton-2024 scenario."
    ),
    codebooks={name: _HERE / "codebooks" / f"{name}.yaml" for name in _CODEBOOKS},
    network=NETWORK,
    scenarios=SCENARIOS,
    framework_notes={"janis-groupthink": GROUPTHINK_EVIDENCE},
    # UK heroin talk that is no one's name, beside the core's list of substances.
    not_names=frozenset({"scag", "skag", "smackhead", "junkie", "clucking", "oramorph", "subbies", "bupe"}),
    demo=DemoSpec(
        title="Social influences on continued heroin use (synthetic demo)",
        corpus=_HERE / "demo" / "corpus",
        stages=tuple(
            f"qualframe.demo.stages.{stage}:run_demo_stage"
            # privacy last before the report: every coding and memo is remapped
            for stage in ("assist", "analysis", "network", "simulation", "privacy")
        ),
        codebooks=_CODEBOOKS,
    ),
)
