"""What the judgement becomes for people and tools: findings as text, JSON and SARIF, the rule
catalog, and the readiness report with its HTML and Markdown renderers."""
