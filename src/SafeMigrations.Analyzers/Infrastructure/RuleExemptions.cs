using System;

namespace SafeMigrations.Analyzers.Infrastructure
{
    /// <summary>
    /// The shared semantics a rule opts into. <see cref="MigrationContext"/>'s Report methods drop a diagnostic
    /// when one of the rule's exemptions applies, so rules never re-implement them.
    /// </summary>
    [Flags]
    public enum RuleExemptions
    {
        None = 0,

        /// <summary>Steps on a table created earlier in the same method (CreateTable or raw CREATE TABLE) are not reported.</summary>
        TablesCreatedEarlier = 1,

        /// <summary>Steps on a table listed in <c>safe_migrations.small_tables</c> are not reported.</summary>
        SmallTables = 2,

        /// <summary>Steps in the contract phase (<c>.InContractPhase()</c> or <c>[ContractPhase]</c>) are not reported.</summary>
        ContractPhase = 4,

        /// <summary>
        /// A <c>Down</c> step that reverts what the same migration's <c>Up</c> did is not reported: it drops what Up
        /// created, renames back, alters a column Up altered, or re-creates what Up dropped.
        /// </summary>
        UndoInDown = 8,

        /// <summary>Lock and rewrite hazards (SM0001, SM0002, SM0004, SM0006...): new tables, small tables, Down undoing Up.</summary>
        LockHazard = TablesCreatedEarlier | SmallTables | UndoInDown,

        /// <summary>Compatibility hazards (renames and drops, SM0011-SM0014): new tables, contract phase, Down undoing Up. Never small tables.</summary>
        Compatibility = TablesCreatedEarlier | ContractPhase | UndoInDown,
    }
}
