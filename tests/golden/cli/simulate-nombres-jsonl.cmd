simulate convention.conv population-nombres.jsonl
