using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using SafeMigrations.Sql;
using SafeMigrations.Sql.Rules;

namespace SafeMigrations.Engine.Planning
{
    /// <summary>
    /// What the judgement of one step's SQL knows of the rest of its migration, as plain EF runs it (every command on
    /// one connection, in one transaction that a suppressed command commits), so the engine is quiet where the
    /// analyzers are: tables and columns created earlier, a NOT NULL proven by an earlier validated check
    /// (<see cref="NotNullProof"/>), TimeZone set to UTC earlier (<see cref="SessionTimeZoneState"/>), and a
    /// compatibility view after a table rename. Fed statement by statement, in migration order.
    /// </summary>
    internal sealed class MigrationSqlHistory
    {
        private readonly Func<QualifiedName, bool> _createdByBuilder;
        private readonly IReadOnlyList<MigrationOperation> _operations;
        private readonly IReadOnlyList<SqlStatement>?[] _scanned;
        private readonly List<SqlStatement> _ran = new List<SqlStatement>();
        private readonly List<QualifiedName> _created = new List<QualifiedName>();

        /// <param name="createdByBuilder">Whether a CreateTable earlier in the migration created the table.</param>
        /// <param name="operations">The migration's operations, for what comes after the one being judged; none in a lone judgement.</param>
        public MigrationSqlHistory(Func<QualifiedName, bool> createdByBuilder, IReadOnlyList<MigrationOperation>? operations = null)
        {
            _createdByBuilder = createdByBuilder;
            _operations = operations ?? Array.Empty<MigrationOperation>();
            _scanned = new IReadOnlyList<SqlStatement>?[_operations.Count];
        }

        /// <summary>Index of the operation being planned in the migration's operations.</summary>
        public int Operation { get; set; }

        /// <summary>SM0007's exemption: whether TimeZone is UTC at this point.</summary>
        public SessionTimeZoneState TimeZone { get; } = new SessionTimeZoneState();

        /// <summary>The table was created earlier in the migration (CreateTable, or CREATE TABLE in SQL that ran before).</summary>
        public bool IsNew(QualifiedName table) => _createdByBuilder(table) || _created.Any(t => StatementRules.SameTable(t, table));

        /// <summary>A statement that ran (or, for SQL the engine rewrites, that plain EF would run) in the migration's transaction or, when <paramref name="inTransaction"/> is false, on its own.</summary>
        public void Ran(SqlStatement statement, bool inTransaction)
        {
            _ran.Add(statement);
            TimeZone.Statement(statement, inTransaction);
            if (statement.Kind == StatementKind.CreateTable && statement.Table is not null)
                _created.Add(statement.Table);
        }

        /// <summary>The statements of one command that ran unjudged; <paramref name="suppressed"/>: outside the migration's transaction.</summary>
        public void Ran(IEnumerable<SqlStatement> statements, bool suppressed)
        {
            if (suppressed)
                Commit();
            foreach (SqlStatement statement in statements)
                Ran(statement, !suppressed);
            if (suppressed)
                Commit();
        }

        /// <summary>Plain EF commits its transaction here (before and after a suppressed command).</summary>
        public void Commit() => TimeZone.Commit();

        /// <summary>SM0006's exemption: a validated CHECK that ran earlier proves the column not null.</summary>
        public bool ProvesNotNull(QualifiedName table, string column)
        {
            var proof = new NotNullProof(column);
            foreach (SqlStatement statement in _ran)
                proof.Statement(statement, t => StatementRules.SameTable(t, table));
            return proof.Proven;
        }

        /// <summary>SM0011's exemption: a column added earlier in the migration is unknown to the running app.</summary>
        public bool AddedColumn(QualifiedName table, string column) => _ran.Any(s => AddsColumn(s, table, column));

        /// <summary>SM0011's second message: the rest of the script or a later operation adds a column under the old name.</summary>
        public bool AddsColumnLater(QualifiedName table, string column, IEnumerable<SqlStatement> restOfScript) =>
            restOfScript.Concat(Later()).Any(s => AddsColumn(s, table, column))
            || _operations.Skip(Operation + 1).OfType<AddColumnOperation>().Any(a => a.Name == column && StatementRules.SameTable(new QualifiedName(a.Schema, a.Table), table));

        /// <summary>SM0012's exemption: a view under the old name over the new one, after the rename.</summary>
        public bool HasCompatibilityViewLater(QualifiedName from, QualifiedName to, IEnumerable<SqlStatement> restOfScript) =>
            restOfScript.Concat(Later()).Any(s => StatementRules.IsCompatibilityView(s, from, to));

        /// <summary>The SQL text of the operations after the one being planned (raw and SafeMigrations steps), in order.</summary>
        private IEnumerable<SqlStatement> Later()
        {
            for (int i = Operation + 1; i < _operations.Count; i++)
            {
                if (_operations[i] is SqlOperation sql)
                    foreach (SqlStatement statement in _scanned[i] ??= StatementScanner.Scan(sql.Sql))
                        yield return statement;
            }
        }

        private static bool AddsColumn(SqlStatement statement, QualifiedName table, string column) =>
            statement.Kind == StatementKind.AlterTable && StatementRules.SameTable(statement.Table, table)
            && statement.Actions.Any(a => a.Kind == AlterTableActionKind.AddColumn && string.Equals(a.Column, column, StringComparison.Ordinal));
    }
}
