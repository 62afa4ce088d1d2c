// Runs one SQL query with DuckDB (the @duckdb/node-api package named by
// $DUCKDB_NODE_API) and prints the rows as JSON: how the end-to-end test
// checks that a data engineer's DuckDB reads the lake.
const { DuckDBInstance } = require(process.env.DUCKDB_NODE_API);
(async () => {
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  const r = await con.runAndReadAll(process.argv[2]);
  console.log(JSON.stringify(r.getRowObjectsJson()));
})().catch(e => { console.error(e.message); process.exit(1); });
