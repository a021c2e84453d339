using System;
using System.Collections.Concurrent;
using System.IO;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Sql.Statistics;

namespace SafeMigrations.Analyzers.Infrastructure
{
    /// <summary>
    /// The statistics snapshot of one compilation: the additional file the package adds (marked with the
    /// <c>SafeMigrationsStatistics</c> item metadata, or named <see cref="StatisticsFile.DefaultFileName"/>), read once
    /// on first use. A file that cannot be read leaves <see cref="File"/> null and <see cref="Error"/> set: rules then
    /// judge every table as without a snapshot, and SM0019 reports the error once.
    /// </summary>
    internal sealed class ProductionStatistics
    {
        /// <summary>Item metadata the package's targets put on the snapshot's AdditionalFiles item.</summary>
        public const string MarkerMetadata = "build_metadata.AdditionalFiles.SafeMigrationsStatistics";

        private static readonly ConditionalWeakTable<Compilation, ProductionStatistics> PerCompilation = new ConditionalWeakTable<Compilation, ProductionStatistics>();

        private static readonly ProductionStatistics None = new ProductionStatistics(null, null, null);

        private readonly ConcurrentDictionary<SyntaxTree, TableSizeContext> _sizes = new ConcurrentDictionary<SyntaxTree, TableSizeContext>();

        private ProductionStatistics(string? path, StatisticsFile? file, string? error)
        {
            Path = path;
            File = file;
            Error = error;
        }

        /// <summary>The snapshot's path; null when the compilation has none.</summary>
        public string? Path { get; }

        /// <summary>The read snapshot; null when there is none or it could not be read.</summary>
        public StatisticsFile? File { get; }

        /// <summary>Why the snapshot could not be read; null otherwise.</summary>
        public string? Error { get; }

        /// <summary>The file name for messages.</summary>
        public string FileName => System.IO.Path.GetFileName(Path ?? StatisticsFile.DefaultFileName);

        /// <summary>The snapshot of <paramref name="compilation"/>, found and read once whichever analyzer asks first.</summary>
        public static ProductionStatistics For(Compilation compilation, AnalyzerOptions options, CancellationToken cancellationToken) =>
            PerCompilation.GetValue(compilation, _ => Load(options, cancellationToken));

        /// <summary>The snapshot as the rules of file <paramref name="tree"/> use it (its options read once per file); nothing without a snapshot.</summary>
        public TableSizeContext SizesFor(AnalyzerOptions options, SyntaxTree? tree)
        {
            if (File is null)
            {
                return TableSizeContext.None;
            }

            return tree is null
                ? new TableSizeContext(File, StatisticsOptions.Default)
                : _sizes.GetOrAdd(tree, t => new TableSizeContext(File, StatisticsOptions.Read(options.AnalyzerConfigOptionsProvider.GetOptions(t))));
        }

        private static ProductionStatistics Load(AnalyzerOptions options, CancellationToken cancellationToken)
        {
            AdditionalText? found = null;
            foreach (var file in options.AdditionalFiles)
            {
                var marked = options.AnalyzerConfigOptionsProvider.GetOptions(file).TryGetValue(MarkerMetadata, out var value)
                             && string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
                if (marked || string.Equals(System.IO.Path.GetFileName(file.Path), StatisticsFile.DefaultFileName, StringComparison.OrdinalIgnoreCase))
                {
                    found = file;
                    if (marked)
                    {
                        break;
                    }
                }
            }

            if (found is null)
            {
                return None;
            }

            try
            {
                var text = found.GetText(cancellationToken);
                if (text is null)
                {
                    return new ProductionStatistics(found.Path, null, "the file cannot be opened");
                }

                return new ProductionStatistics(found.Path, StatisticsFile.Parse(text.ToString()), null);
            }
            catch (FormatException exception)
            {
                return new ProductionStatistics(found.Path, null, exception.Message);
            }
            catch (IOException exception)
            {
                return new ProductionStatistics(found.Path, null, exception.Message);
            }
        }
    }
}
