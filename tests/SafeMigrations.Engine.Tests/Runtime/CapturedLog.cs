using System;
using System.Collections.Concurrent;
using System.Linq;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Runtime
{
    /// <summary>A logger factory that keeps every SafeMigrations entry (category, level, event, text), for assertions.</summary>
    internal sealed class CapturedLog : ILoggerProvider
    {
        private readonly ITestOutputHelper? _output;

        public CapturedLog(ITestOutputHelper? output = null)
        {
            _output = output;
            Factory = new LoggerFactory(new[] { this });
        }

        public ILoggerFactory Factory { get; }

        public ConcurrentQueue<Entry> Entries { get; } = new();

        /// <summary>Keeps every category (EF Core's and Npgsql's too), not only SafeMigrations': for checks that nothing anywhere prints a secret.</summary>
        public bool EveryCategory { get; init; }

        /// <summary>Invoked on every entry as it is logged (a test cancels from here).</summary>
        public Action<Entry>? OnEntry { get; set; }

        public string[] In(string category) => Entries.Where(e => e.Category == category).Select(e => e.Message).ToArray();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        internal sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message);

        private sealed class Logger : ILogger
        {
            private readonly CapturedLog _log;
            private readonly string _category;

            public Logger(CapturedLog log, string category)
            {
                _log = log;
                _category = category;
            }

            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => _log.EveryCategory || _category.StartsWith("SafeMigrations", StringComparison.Ordinal);

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (!IsEnabled(logLevel))
                    return;
                var entry = new Entry(_category, logLevel, eventId, formatter(state, exception) + (exception is null ? string.Empty : " " + exception));
                _log.Entries.Enqueue(entry);
                _log._output?.WriteLine($"{_category} {logLevel} {eventId.Name}: {entry.Message}");
                _log.OnEntry?.Invoke(entry);
            }
        }
    }
}
