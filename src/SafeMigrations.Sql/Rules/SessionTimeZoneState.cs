namespace SafeMigrations.Sql.Rules
{
    /// <summary>
    /// Whether the session <c>TimeZone</c> is UTC at a point of a migration, the way plain EF Core runs it: every command
    /// on one connection, in one transaction that a <c>suppressTransaction</c> command commits (EF's
    /// MigrationCommandExecutor). So <c>SET LOCAL TimeZone</c> lasts until that commit (or a COMMIT in the SQL) and does
    /// nothing in a suppressed command (autocommit); a plain <c>SET TimeZone</c> lasts for the rest of the migration.
    /// SM0007's exemption; the analyzers and the engine feed it the same way.
    /// </summary>
    public sealed class SessionTimeZoneState
    {
        private bool _sessionUtc;
        private bool? _localUtc;

        /// <summary>TimeZone is UTC now.</summary>
        public bool IsUtc => _localUtc ?? _sessionUtc;

        /// <summary>The migration's transaction ends (EF commits before and after a suppressed command): SET LOCAL is gone.</summary>
        public void Commit() => _localUtc = null;

        /// <summary>Feeds one statement that ran; <paramref name="inTransaction"/> false for a statement of a suppressed command.</summary>
        public void Statement(SqlStatement statement, bool inTransaction)
        {
            if (statement.Kind == StatementKind.TransactionControl && statement.EndsTransaction)
            {
                _localUtc = null;
            }

            if (!(SessionSetting.Parse(statement) is { } setting) || (setting.Parameter != "timezone" && setting.Parameter != SessionSetting.All))
            {
                return;
            }

            if (!setting.IsLocal)
            {
                _sessionUtc = setting.SetsUtcTimeZone;
                _localUtc = null;
            }
            else if (inTransaction)
            {
                // Outside a transaction block SET LOCAL only warns.
                _localUtc = setting.SetsUtcTimeZone;
            }
        }
    }
}
