//! The pool's connections, each with the statements it has prepared: a statement gdprkit runs
//! often is parsed once per connection, and each later run is one round trip.

use std::collections::HashMap;

use postgres::types::ToSql;
use postgres::{Client, GenericClient, Row, Statement, Transaction};

use crate::tls::Target;

/// Opens connections for the pool, to one server.
#[derive(Debug)]
pub(crate) struct Manager {
    target: Target,
}

impl Manager {
    pub fn new(target: Target) -> Self {
        Self { target }
    }

    /// A connection, or the one-line error that says why not.
    pub fn check(&self) -> gdprkit::Result<()> {
        self.target.client().map(drop)
    }
}

/// A connection and its prepared statements.
pub(crate) struct Connection {
    pub client: Client,
    pub statements: Statements,
}

/// Statements prepared on one connection, by their SQL.
#[derive(Default)]
pub(crate) struct Statements(HashMap<&'static str, Statement>);

impl Statements {
    /// The statement for `sql`, prepared on `client` (the connection, or a transaction on it)
    /// the first time.
    pub fn get(&mut self, client: &mut impl GenericClient, sql: &'static str) -> Result<Statement, postgres::Error> {
        if let Some(statement) = self.0.get(sql) {
            return Ok(statement.clone());
        }
        let statement = client.prepare(sql)?;
        self.0.insert(sql, statement.clone());
        Ok(statement)
    }
}

impl Connection {
    /// Runs a query through its prepared statement.
    pub fn query(&mut self, sql: &'static str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>, postgres::Error> {
        let statement = self.statements.get(&mut self.client, sql)?;
        self.client.query(&statement, params)
    }

    /// Runs a query of at most one row through its prepared statement.
    pub fn query_opt(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, postgres::Error> {
        let statement = self.statements.get(&mut self.client, sql)?;
        self.client.query_opt(&statement, params)
    }

    /// Starts a transaction, with the statements to run in it.
    pub fn transaction(&mut self) -> Result<(Transaction<'_>, &mut Statements), postgres::Error> {
        Ok((self.client.transaction()?, &mut self.statements))
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = Connection;
    type Error = postgres::Error;

    fn connect(&self) -> Result<Connection, postgres::Error> {
        let mut client = self.target.connect()?;
        // gdprkit's statements are indexed lookups whose best plan does not depend on the
        // values. By default PostgreSQL plans a prepared statement again on every run when its
        // generic plan's estimate is worse (as for `subject = ANY($2)`), and planning costs more
        // than the lookup: on these connections, which only gdprkit uses, each statement is
        // planned once.
        client.batch_execute("SET plan_cache_mode = force_generic_plan")?;
        Ok(Connection { client, statements: Statements::default() })
    }

    fn is_valid(&self, conn: &mut Connection) -> Result<(), postgres::Error> {
        conn.client.simple_query("").map(|_| ())
    }

    fn has_broken(&self, conn: &mut Connection) -> bool {
        conn.client.is_closed()
    }
}
