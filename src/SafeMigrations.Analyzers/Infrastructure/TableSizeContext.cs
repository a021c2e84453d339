using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql.Statistics;

namespace SafeMigrations.Analyzers.Infrastructure
{
    /// <summary>
    /// What the statistics snapshot says about the tables of one migration file, consulted by
    /// <see cref="MigrationContext"/> wherever a rule reports: a table with fewer rows than
    /// <c>safe_migrations.small_table_rows</c> counts as a small table (the rules exempting small tables skip it), and
    /// the lock and rewrite rules' messages gain its size and an estimated duration of the blocking part; a hot table
    /// raises them to errors when <c>safe_migrations.hot_table_writes_per_second</c> is set. Tables the snapshot does not
    /// know, and compilations without a snapshot, are judged exactly as without one.
    /// </summary>
    public sealed class TableSizeContext
    {
        internal static readonly TableSizeContext None = new TableSizeContext(null, StatisticsOptions.Default);

        private static readonly ConcurrentDictionary<(DiagnosticDescriptor Descriptor, int Slot, bool Error), DiagnosticDescriptor> Extended =
            new ConcurrentDictionary<(DiagnosticDescriptor, int, bool), DiagnosticDescriptor>();

        private readonly StatisticsFile? _file;

        internal TableSizeContext(StatisticsFile? file, StatisticsOptions options)
        {
            _file = file;
            Options = options;
        }

        public StatisticsOptions Options { get; }

        /// <summary>True when the snapshot knows the table and its estimated rows are under <c>safe_migrations.small_table_rows</c>.</summary>
        public bool IsSmall(TableName table) =>
            _file?.Find(table.Schema, table.Name) is { EstimatedRows: >= 0 } known && known.EstimatedRows < Options.SmallTableRows;

        /// <summary>The snapshot's entry for the table, or null.</summary>
        public TableEstimate? Find(TableName table) => _file?.Find(table.Schema, table.Name);

        /// <summary>
        /// The descriptor and arguments to report <paramref name="descriptor"/> with: unchanged unless the rule's hazard
        /// grows with the table and the snapshot knows one of <paramref name="tables"/>; then the message ends with
        /// "; production estimate: 'orders' has ~4.2M rows, ... (statistics snapshot of ...); the scan takes an estimated
        /// ~11 s under the lock (...)", and the severity is Error for a hot table when that is configured.
        /// </summary>
        internal (DiagnosticDescriptor Descriptor, object?[] Arguments) Annotate(DiagnosticDescriptor descriptor, IEnumerable<TableName> tables, object?[] messageArgs)
        {
            if (_file is null || !(ProductionEstimate.WorkOf(descriptor.Id) is BlockingWork work))
            {
                return (descriptor, messageArgs);
            }

            TableEstimate? known = null;
            foreach (var table in tables)
            {
                known = Find(table);
                if (known != null)
                {
                    break;
                }
            }

            if (known is null)
            {
                return (descriptor, messageArgs);
            }

            var suffix = "; production estimate: " + ProductionEstimate.Size(known, _file.TakenAt);
            var writes = known.WritesPerSecond;
            var hot = Options.HotTableWritesPerSecond is double threshold && writes is double rate && rate >= threshold;
            if (hot)
            {
                suffix += ", a hot table at ~" + writes!.Value.ToString("0.#", CultureInfo.InvariantCulture) + " writes/s (" + StatisticsOptions.HotTableWritesKey + " = "
                          + Options.HotTableWritesPerSecond!.Value.ToString(CultureInfo.InvariantCulture) + ")";
            }

            var duration = ProductionEstimate.Duration(known, work, Options.Rates, EstimateRates.KeyFor(work));
            if (duration.Length > 0)
            {
                suffix += "; " + duration;
            }

            var args = new object?[messageArgs.Length + 1];
            Array.Copy(messageArgs, args, messageArgs.Length);
            args[messageArgs.Length] = suffix;
            var extended = Extended.GetOrAdd((descriptor, messageArgs.Length, hot), key => Extend(key.Descriptor, key.Slot, key.Error));
            return (extended, args);
        }

        [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0030:Do not use banned APIs", Justification = "A variant of a RuleDescriptors.Create descriptor: its id, link and tags, one more message slot.")]
        private static DiagnosticDescriptor Extend(DiagnosticDescriptor descriptor, int slot, bool error) =>
            new DiagnosticDescriptor(
                descriptor.Id,
                descriptor.Title,
                descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture) + "{" + slot.ToString(CultureInfo.InvariantCulture) + "}",
                descriptor.Category,
                error ? DiagnosticSeverity.Error : descriptor.DefaultSeverity,
                descriptor.IsEnabledByDefault,
                descriptor.Description,
                descriptor.HelpLinkUri,
                System.Linq.Enumerable.ToArray(descriptor.CustomTags));
    }
}
