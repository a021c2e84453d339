using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using SafeMigrations.Analyzers.Model;

namespace SafeMigrations.Analyzers.Infrastructure
{
    /// <summary>
    /// The combined impact of a long step and the locks earlier steps of its transaction still hold: the messages of
    /// the long-step rules gain a clause naming the earlier step, e.g. "; reads of 'Users' wait too, because
    /// DropForeignKey 'FK_x' at line 12 holds ACCESS EXCLUSIVE on it until the migration commits". The clause goes
    /// before the first "; " of the rule's message format (its hazard ends there, the remedy follows), so no rule
    /// changes its descriptor; a diagnostic without such a lock keeps the rule's own message.
    /// </summary>
    internal static class CombinedImpact
    {
        /// <summary>Rules about long steps (builds, scans, validations, data changes, rewrites, heavy statements).</summary>
        private static readonly HashSet<string> LongStepRules = new HashSet<string>(StringComparer.Ordinal)
        {
            RuleIdentifiers.CreateIndexNonConcurrently,
            RuleIdentifiers.AddColumnRewritesTable,
            RuleIdentifiers.SetNotNull,
            RuleIdentifiers.AlterColumnTypeRewritesTable,
            RuleIdentifiers.AddForeignKeyValidated,
            RuleIdentifiers.AddCheckConstraintValidated,
            RuleIdentifiers.AddUniqueOrPrimaryKeyUnderLock,
            RuleIdentifiers.UnbatchedDataChange,
            RuleIdentifiers.HeavyLockStatement,
        };

        private static readonly ConcurrentDictionary<(DiagnosticDescriptor Descriptor, int Slot), DiagnosticDescriptor> WithClause =
            new ConcurrentDictionary<(DiagnosticDescriptor, int), DiagnosticDescriptor>();

        /// <summary>
        /// Creates the diagnostic of a long-step rule with the clause added when an earlier step of the same transaction
        /// holds a lock that keeps more away on the unit's tables than the unit's own lock.
        /// </summary>
        public static Diagnostic Create(DiagnosticDescriptor descriptor, MigrationModel model, MigrationStep step, int statementIndex, Location location, ImmutableDictionary<string, string?>? properties, object?[] messageArgs)
        {
            if (LongStepRules.Contains(descriptor.Id)
                && TransactionLocks.For(model).Find(step.Index, statementIndex) is { Worse.Count: > 0 } unit)
            {
                var extended = WithClause.GetOrAdd((descriptor, messageArgs.Length), key => Extend(key.Descriptor, key.Slot));
                var args = new object?[messageArgs.Length + 1];
                Array.Copy(messageArgs, args, messageArgs.Length);
                args[messageArgs.Length] = Clause(unit);
                return Diagnostic.Create(extended, location, properties, args);
            }

            return Diagnostic.Create(descriptor, location, properties, messageArgs);
        }

        /// <summary>"; reads of 'Users' wait too, because DropForeignKey 'FK_x' at line 12 holds ACCESS EXCLUSIVE on it until the migration commits".</summary>
        public static string Clause(LockUnit unit)
        {
            var text = new StringBuilder();
            foreach (var group in unit.Worse.GroupBy(held => (held.Holder, What: Waiting(unit.Locks.ModeOn(held.Table), held.Mode))))
            {
                var tables = group.Select(held => held.Table).ToList();
                var mode = group.Max(held => held.Mode);
                text.Append("; ").Append(group.Key.What).Append(" of ").Append(Quote(tables)).Append(" wait too, because ")
                    .Append(HoldsUntilCommit(group.Key.Holder, mode, tables.Count == 1 ? "it" : "them"));
            }

            return text.ToString();
        }

        /// <summary>"DropForeignKey 'FK_x' at line 12 holds ACCESS EXCLUSIVE on it until the migration commits".</summary>
        public static string HoldsUntilCommit(LockUnit holder, LockMode mode, string onWhat) =>
            holder.Description + " at line " + holder.Line.ToString(CultureInfo.InvariantCulture) + " holds " + UnitLocks.Describe(mode) + " on " + onWhat
            + (holder.InMigrationTransaction ? " until the migration commits" : " until its Sql call commits");

        /// <summary>What waits beyond what the unit's own lock already stops: "reads", "reads and writes", "writes".</summary>
        public static string Waiting(LockMode own, LockMode held) =>
            UnitLocks.ImpactOf(held) == LockImpact.Reads
                ? (UnitLocks.ImpactOf(own) == LockImpact.Writes ? "reads" : "reads and writes")
                : "writes";

        /// <summary><c>'a'</c>, <c>'a' and 'b'</c>, <c>'a', 'b' and 'c'</c>.</summary>
        public static string Quote(IReadOnlyList<TableName> tables)
        {
            var quoted = tables.Select(t => "'" + t + "'").ToList();
            return quoted.Count == 1 ? quoted[0] : string.Join(", ", quoted.Take(quoted.Count - 1)) + " and " + quoted[quoted.Count - 1];
        }

        [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0030:Do not use banned APIs", Justification = "A variant of a RuleDescriptors.Create descriptor: its id, link and tags, one more message slot.")]
        private static DiagnosticDescriptor Extend(DiagnosticDescriptor descriptor, int slot)
        {
            var format = descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture);
            var end = format.IndexOf("; ", StringComparison.Ordinal);
            var placeholder = "{" + slot.ToString(CultureInfo.InvariantCulture) + "}";
            format = end < 0 ? format + placeholder : format.Insert(end, placeholder);
            return new DiagnosticDescriptor(
                descriptor.Id,
                descriptor.Title,
                format,
                descriptor.Category,
                descriptor.DefaultSeverity,
                descriptor.IsEnabledByDefault,
                descriptor.Description,
                descriptor.HelpLinkUri,
                descriptor.CustomTags.ToArray());
        }

    }
}
