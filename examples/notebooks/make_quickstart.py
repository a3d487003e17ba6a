"""Write quickstart.ipynb from the cells below (run it after editing a cell; the test executes the
notebook itself, so the .ipynb in the repository is what CI checks)."""

from pathlib import Path

import nbformat as nbf

CELLS = [
    ("md", """# edupulse quickstart (Python)

Simulate an online-course business, run every daily capability on a local store, read the results
as DataFrames and plot them. Everything runs in Rust with the GIL released; Python only converts
tables (pandas by default, polars or Arrow on request)."""),
    ("code", """import edupulse
import matplotlib.pyplot as plt
import pandas as pd

tables = edupulse.simulate(students=400, seed=7)          # {table name: pandas DataFrame}
{name: len(df) for name, df in tables.items()}"""),
    ("md", """## Ingest into a store and run the daily job
`sqlite://PATH` is a file; `memory://` lives in this process. Ingest upserts (twice changes nothing);
`run` writes results and queues alerts in the outbox, idempotently for a given `as_of`."""),
    ("code", """store = edupulse.Store("memory://")
store.ingest(tables)
summary = store.run("2025-12-31", progress=True)
{step: (s["results"], s["notifications"]) for step, s in summary["steps"].items()}"""),
    ("md", """## Trends: which keywords are taking off"""),
    ("code", """alerts = store.results("trend_alerts")
alerts[["keyword", "decision", "growth", "alert"]].sort_values("growth", ascending=False).head(8)"""),
    ("code", """interest = tables["keyword_interest"]
top = alerts.sort_values("growth", ascending=False)["keyword"].head(3)
fig, ax = plt.subplots(figsize=(9, 3.5))
for kw in top:
    s = interest[interest["keyword"] == kw].set_index("date")["volume"].rolling(7).mean()
    ax.plot(s.index, s.values, label=kw)
ax.set_title("Search interest, 7-day mean: the fastest-growing keywords")
ax.legend()
plt.show()"""),
    ("md", """## Churn: who is slipping away, why, and what they are worth"""),
    ("code", """scores = store.results("churn_scores")
scores[["student_id", "probability", "risk_level", "p_alive", "clv"]].sort_values("probability", ascending=False).head()"""),
    ("code", """fig, ax = plt.subplots(figsize=(7, 3.5))
for level, part in scores.groupby("risk_level"):
    ax.hist(part["probability"], bins=20, alpha=0.6, label=level)
ax.set_xlabel("P(churn)")
ax.set_title("Churn probability by risk level")
ax.legend()
plt.show()"""),
    ("md", """### Fit your own classifier
Estimators follow scikit-learn's conventions: `fit` returns the estimator, predictions are numpy
arrays, fitted models pickle. Here: features from activity until October, label = no activity in
November–December."""),
    ("code", """act = tables["activity"]
cut = pd.Timestamp("2025-11-01", tz="UTC")
before, after = act[act["at"] < cut], act[act["at"] >= cut]
X = (before.pivot_table(index="student_id", columns="kind", values="at", aggfunc="count", fill_value=0)
       .join(tables["students"].set_index("student_id")[["industry", "role"]], how="inner"))
X["days_since_last"] = (cut - before.groupby("student_id")["at"].max()).dt.days.reindex(X.index)
y = ~X.index.isin(after["student_id"])
clf = edupulse.churn.ChurnClassifier(model="logistic").fit(X, y)
p = clf.predict_proba(X)[:, 1]
print(f"{len(X)} students, churn rate {y.mean():.2f}; mean P(churn) churned {p[y].mean():.2f} vs stayed {p[~y].mean():.2f}")
clf.explain(X.head(3), top=2)"""),
    ("md", """## Spaced repetition: what is due, and which concepts are stuck"""),
    ("code", """forecast = store.results("review_forecast").set_index("date")["due"]
ax = forecast.plot.bar(figsize=(9, 3), title="Reviews due per day (the first day includes the backlog)")
plt.show()
concepts = store.results("review_concepts")
concepts.sort_values("lapse_rate", ascending=False)[["card_id", "learners", "lapse_rate", "mean_retention", "stuck"]].head()"""),
    ("md", """## Leads: who is hot, and what nurtures the rest"""),
    ("code", """leads = store.results("lead_scores")
print(leads.groupby("grade")["converted"].agg(["size", "mean"]).rename(columns={"mean": "conversion"}))
leads[["lead_id", "grade", "engagement", "score", "track", "scorer"]].sort_values("score", ascending=False).head()"""),
    ("code", """scored = edupulse.leads.LeadScorer(half_life_days=21.0).score(tables["lead_events"], output="polars")
scored.sort("score", descending=True).head(3)"""),
    ("md", """## Demand: predicted attendance by day and hour, and the best slots"""),
    ("code", """heat = store.results("slot_heatmap")
one = heat[heat["target"] == heat["target"].iloc[0]]          # one target segment ("*" = any)
grid = one.pivot_table(index="weekday", columns="hour", values="attendees")  # 0 = Monday
grid.index = [["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][d] for d in grid.index]
fig, ax = plt.subplots(figsize=(9, 3))
im = ax.imshow(grid.values, aspect="auto", cmap="YlGnBu")
ax.set_yticks(range(len(grid.index)), grid.index)
ax.set_xticks(range(len(grid.columns)), [f"{h}h" for h in grid.columns])
ax.set_title(f"Predicted attendees next week: {one['target'].iloc[0]}")
fig.colorbar(im)
plt.show()"""),
    ("code", """model = edupulse.demand.DemandModel(n_estimators=50).fit(tables["webinars"], tables["registrations"])
model.best_slots(tables["webinars"].iloc[-1], top=3)"""),
    ("md", """## KPIs and alerts; polars and Arrow out"""),
    ("code", """funnel = store.results("kpi_funnel")
print(funnel["dimension"].value_counts().to_dict())
store.outbox()[:1]"""),
    ("code", """reviews = store.table("reviews", output="polars")   # or output="arrow"
reviews.head(3)"""),
]


def main() -> None:
    nb = nbf.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbf.v4.new_markdown_cell(t) if k == "md" else nbf.v4.new_code_cell(t) for k, t in CELLS]
    nbf.write(nb, Path(__file__).with_name("quickstart.ipynb"))


if __name__ == "__main__":
    main()
