using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Connections;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations.Engine.Runtime
{
    /// <summary>
    /// The engine's messages as <see cref="ILogger"/> calls: the command's category, and
    /// <see cref="SafeMigrationsLogCategories.Backfill"/> while a batched step runs (it watches the steps as the
    /// engine's step observer). Warnings and errors are kept as the result's findings.
    /// </summary>
    internal sealed class LoggerEngineLog : IEngineLog, IStepObserver
    {
        private readonly ILogger _command;
        private readonly ILogger _backfill;
        private readonly List<SafeMigrationFinding> _findings = new List<SafeMigrationFinding>();
        private readonly SecretScrubber _secrets = new SecretScrubber();
        private volatile bool _inBackfill;

        public LoggerEngineLog(ILoggerFactory factory, string commandCategory)
        {
            _command = factory.CreateLogger(commandCategory);
            _backfill = factory.CreateLogger(SafeMigrationsLogCategories.Backfill);
        }

        public IReadOnlyList<SafeMigrationFinding> Findings
        {
            get
            {
                lock (_findings)
                    return _findings.ToArray();
            }
        }

        /// <summary>From now on, <paramref name="connectionString"/> and its passwords never reach a log entry, finding or exception message.</summary>
        public void Hide(string? connectionString) => _secrets.Hide(connectionString);

        /// <summary><paramref name="text"/> without any hidden value.</summary>
        public string Scrub(string text) => _secrets.Scrub(text);

        public void Write(EngineMessageLevel level, string? code, string message)
        {
            message = _secrets.Scrub(message);
            LogLevel logLevel = level switch
            {
                EngineMessageLevel.Warning => LogLevel.Warning,
                EngineMessageLevel.Error => LogLevel.Error,
                _ => LogLevel.Information,
            };
            if (code is not null && logLevel >= LogLevel.Warning)
            {
                lock (_findings)
                    _findings.Add(new SafeMigrationFinding(code, logLevel, message));
            }
            ILogger logger = _inBackfill ? _backfill : _command;
            if (!logger.IsEnabled(logLevel))
                return;
            if (code is null)
                logger.Log(logLevel, default(EventId), "{Message}", message);
            else
                logger.Log(logLevel, EventFor(code), "{Code}: {Message}", code, message);
        }

        /// <summary>SM1003 becomes event 1003 named "SM1003", so a filter or query can select one code.</summary>
        internal static EventId EventFor(string code)
            => code.Length > 2 && int.TryParse(code.Substring(2), NumberStyles.None, CultureInfo.InvariantCulture, out int number) ? new EventId(number, code) : new EventId(0, code);

        public Task BeforeStepAsync(PlanStep step, NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            _inBackfill = step.Transaction == StepTransaction.Batched;
            return Task.CompletedTask;
        }

        public Task BeforeCommitAsync(PlanStep step, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
            => Task.CompletedTask;

        public Task AfterStepAsync(PlanStep step, NpgsqlConnection connection, Exception? failure, CancellationToken cancellationToken)
        {
            _inBackfill = false;
            return Task.CompletedTask;
        }
    }
}
