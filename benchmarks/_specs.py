"""The specs the LLM benchmarks run by default, as plain mappings (what a YAML file would give).

Each is taken from the issue that asks for the measurement, so figures stay comparable with it.
Sampling is at temperature 1 without nucleus truncation unless a run overrides it: the model's own
distribution, which is what faithful decoding must reproduce and what the throughput issue measured.
"""

from __future__ import annotations

from typing import Any

SAMPLING = {"temperature": 1.0, "top_p": 1.0}

# issue 12: the schema the throughput target is stated on
REFERENCE: dict[str, Any] = {
    "name": "reference",
    "seed": 0,
    "generation": dict(SAMPLING),
    "columns": [
        {"name": "age", "kind": "integer", "low": 18, "high": 80},
        {
            "kind": "llm",
            "name": "person",
            "prompt": "Person aged {{ age }}. Give JSON with job, country and score.",
            "fields": {
                "job": {"type": "string", "max_length": 30},
                "country": {
                    "type": "choice",
                    "choices": ["USA", "India", "Germany", "Brazil", "Japan", "France", "Nigeria", "Mexico"],
                },
                "score": {"type": "integer", "min": 0, "max": 100},
            },
        },
    ],
}

# issue 12: scaffold numbers in the prompt, 3 choice fields, 2 short text fields, few-shot examples
WIDE: dict[str, Any] = {
    "name": "wide",
    "seed": 0,
    "generation": dict(SAMPLING),
    "columns": [
        {"name": "age", "kind": "integer", "low": 22, "high": 65},
        {"name": "tenure_years", "kind": "integer", "low": 0, "high": 30},
        {"name": "salary", "kind": "lognormal", "mu": 11.0, "sigma": 0.4, "round": 0},
        {
            "kind": "llm",
            "name": "employee",
            "system": "You write short, realistic employee records for an HR dataset. Answer with JSON only.",
            "prompt": (
                "Employee aged {{ age }}, {{ tenure_years }} years at the company, salary {{ salary | int }} USD"
                " a year. Give their department, level, work mode, job title and main skill."
            ),
            "fields": {
                "department": {
                    "type": "choice",
                    "choices": ["Engineering", "Sales", "Marketing", "Finance", "Operations", "Support"],
                },
                "level": {"type": "choice", "choices": ["junior", "mid", "senior", "lead"]},
                "work_mode": {"type": "choice", "choices": ["office", "hybrid", "remote"]},
                "job_title": {"type": "string", "max_length": 30},
                "skill": {"type": "string", "max_length": 24},
            },
            "examples": [
                {"age": 27, "tenure_years": 2, "salary": 52000, "department": "Support", "level": "junior",
                 "work_mode": "office", "job_title": "Support specialist", "skill": "Ticket triage"},
                {"age": 45, "tenure_years": 15, "salary": 118000, "department": "Engineering", "level": "lead",
                 "work_mode": "hybrid", "job_title": "Staff engineer", "skill": "System design"},
                {"age": 36, "tenure_years": 6, "salary": 74000, "department": "Finance", "level": "senior",
                 "work_mode": "remote", "job_title": "Financial analyst", "skill": "Forecasting"},
            ],
        },
    ],
}

# issue 11: the guide's zero-shot table example, every column from the model
ZERO_SHOT: dict[str, Any] = {
    "name": "zero_shot",
    "seed": 0,
    "generation": dict(SAMPLING),
    "columns": [
        {
            "kind": "llm",
            "name": "table_row",
            "system": "You generate rows of a synthetic dataset",
            "prompt": (
                "Generate one row of a dataset with 4 columns: Job (string for the person's occupation), "
                "Age (integer between 18 and 75), Country (string for the country name) and "
                "Score (float between 0 and 100)"
            ),
            "fields": {
                "Job": {"type": "string", "max_length": 30},
                "Age": {"type": "integer", "min": 18, "max": 75},
                "Country": {"type": "string", "max_length": 30},
                "Score": {"type": "number", "min": 0, "max": 100},
            },
        },
    ],
}

# issue 11: category and price from samplers; ratings from the model, steered by three few-shot rows
REVIEWS: dict[str, Any] = {
    "name": "reviews",
    "seed": 0,
    "generation": dict(SAMPLING),
    "columns": [
        {"name": "category", "kind": "categorical",
         "categories": ["Electronics", "Books", "Kitchen", "Toys", "Clothing"]},
        {"name": "price", "kind": "lognormal", "mu": 3.5, "sigma": 0.8, "round": 2},
        {
            "kind": "llm",
            "name": "review",
            "system": "You write realistic product review records for an online shop. Answer with JSON only.",
            "prompt": (
                "A customer bought a {{ category }} item for {{ price }} USD. Give the star rating, whether they"
                " recommend it, the review's sentiment, a satisfaction score and how many shoppers found the"
                " review helpful."
            ),
            "fields": {
                "stars": {"type": "integer", "min": 1, "max": 5},
                "recommend": {"type": "boolean"},
                "sentiment": {"type": "choice", "choices": ["negative", "neutral", "positive"]},
                "score": {"type": "integer", "min": 0, "max": 100},
                "helpful_votes": {"type": "integer", "min": 0, "max": 500},
            },
            "examples": [
                {"category": "Kitchen", "price": 34.99, "stars": 4, "recommend": True, "sentiment": "positive",
                 "score": 78, "helpful_votes": 12},
                {"category": "Electronics", "price": 129.0, "stars": 2, "recommend": False,
                 "sentiment": "negative", "score": 31, "helpful_votes": 47},
                {"category": "Books", "price": 15.5, "stars": 3, "recommend": True, "sentiment": "neutral",
                 "score": 55, "helpful_votes": 3},
            ],
        },
    ],
}

# issue 11, item 4: a choice field with declared weights whose per-row choice should still follow the row
WEIGHTED: dict[str, Any] = {
    "name": "weighted",
    "seed": 0,
    "generation": dict(SAMPLING),
    "columns": [
        {"name": "age", "kind": "integer", "low": 18, "high": 80},
        {"name": "yearly_spend", "kind": "lognormal", "mu": 7.2, "sigma": 0.7, "round": 0},
        {
            "kind": "llm",
            "name": "customer",
            "system": "You write short, realistic customer records for a retail dataset. Answer with JSON only.",
            "prompt": "Customer aged {{ age }} who spends about {{ yearly_spend | int }} USD a year. "
                      "Give their shopping segment and job.",
            "fields": {
                "segment": {"type": "choice", "choices": {"budget": 0.3, "regular": 0.5, "premium": 0.2}},
                "job": {"type": "string", "max_length": 30},
            },
            "examples": [
                {"age": 24, "yearly_spend": 600, "segment": "budget", "job": "Barista"},
                {"age": 47, "yearly_spend": 1500, "segment": "regular", "job": "Electrician"},
                {"age": 58, "yearly_spend": 6200, "segment": "premium", "job": "Dentist"},
            ],
        },
    ],
}

BUILTIN: dict[str, dict[str, Any]] = {
    "reference": REFERENCE,
    "wide": WIDE,
    "zero_shot": ZERO_SHOT,
    "reviews": REVIEWS,
    "weighted": WEIGHTED,
}
