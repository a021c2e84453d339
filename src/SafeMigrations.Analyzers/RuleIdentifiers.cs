namespace SafeMigrations.Analyzers
{
    /// <summary>Every SafeMigrations diagnostic ID. A rule's ID never changes and is never reused.</summary>
    public static class RuleIdentifiers
    {
        /// <summary>Index created without CONCURRENTLY on an existing table.</summary>
        public const string CreateIndexNonConcurrently = "SM0001";

        /// <summary>Index dropped without CONCURRENTLY.</summary>
        public const string DropIndexNonConcurrently = "SM0002";

        /// <summary>CONCURRENTLY inside the migration's transaction (fails at run time).</summary>
        public const string ConcurrentlyInTransaction = "SM0003";

        /// <summary>Column added with a volatile default, identity, serial or stored generated column (table rewrite).</summary>
        public const string AddColumnRewritesTable = "SM0004";

        /// <summary>Required column added without a default (fails on a non-empty table).</summary>
        public const string AddRequiredColumnWithoutDefault = "SM0005";

        /// <summary>SET NOT NULL on an existing column (full scan under ACCESS EXCLUSIVE).</summary>
        public const string SetNotNull = "SM0006";

        /// <summary>Column type change that rewrites the table.</summary>
        public const string AlterColumnTypeRewritesTable = "SM0007";

        /// <summary>Foreign key added and validated under lock.</summary>
        public const string AddForeignKeyValidated = "SM0008";

        /// <summary>Check constraint added and validated under lock.</summary>
        public const string AddCheckConstraintValidated = "SM0009";

        /// <summary>Unique constraint or primary key built under lock.</summary>
        public const string AddUniqueOrPrimaryKeyUnderLock = "SM0010";

        /// <summary>Column renamed while the running app still uses the old name.</summary>
        public const string RenameColumn = "SM0011";

        /// <summary>Table renamed while the running app still uses the old name.</summary>
        public const string RenameTable = "SM0012";

        /// <summary>Column dropped outside the contract phase.</summary>
        public const string DropColumnOutsideContract = "SM0013";

        /// <summary>Table dropped outside the contract phase.</summary>
        public const string DropTableOutsideContract = "SM0014";

        /// <summary>Many rows changed in one statement (UPDATE/DELETE without batching).</summary>
        public const string UnbatchedDataChange = "SM0015";

        /// <summary>Statement that takes a heavy lock or rewrites (LOCK TABLE, VACUUM FULL, CLUSTER, REINDEX, TRUNCATE, ...).</summary>
        public const string HeavyLockStatement = "SM0016";

        /// <summary>Brief-lock step whose lock is held through a later long step of the same transaction.</summary>
        public const string BriefLockHeldDuringLongStep = "SM0017";

        /// <summary>AlterColumn that restates what the earlier migrations already made the column (redundant, still locks).</summary>
        public const string RedundantAlterColumn = "SM0018";

        /// <summary>Statistics snapshot older than the configured age, or unreadable (reported once per compilation).</summary>
        public const string StatisticsSnapshot = "SM0019";

        /// <summary>A <c>safe_migrations.*</c> option the analyzers cannot read (misspelled key, unreadable value).</summary>
        public const string InvalidOption = "SM0020";
    }
}
