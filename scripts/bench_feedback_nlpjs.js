// The @nlpjs/sentiment peer of scripts/bench_feedback.py: reads a JSON list of texts (argv[2]),
// scores each with nlp.js' Spanish sentiment analyzer (@nlpjs/lang-es: senticon lexicon,
// Snowball-style stemmer, negations) and prints {"seconds": ..., "scores": [...]} (score = the
// analyzer's `score`, > 0 positive). Run with NODE_PATH pointing at the node_modules the make
// target installs (@nlpjs/core, @nlpjs/lang-es, @nlpjs/sentiment).
const fs = require('fs');
const { Container } = require('@nlpjs/core');
const { LangEs } = require('@nlpjs/lang-es');
const { SentimentAnalyzer } = require('@nlpjs/sentiment');

async function main() {
  const texts = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const container = new Container();
  container.use(LangEs);
  const analyzer = new SentimentAnalyzer({ container });
  const scores = new Array(texts.length);
  const start = process.hrtime.bigint();
  for (let i = 0; i < texts.length; i += 1) {
    const r = await analyzer.process({ locale: 'es', text: texts[i] });
    scores[i] = r.sentiment.score;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(JSON.stringify({ seconds, scores }));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
