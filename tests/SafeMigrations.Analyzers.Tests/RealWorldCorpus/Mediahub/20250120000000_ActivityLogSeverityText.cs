using System;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Mediahub.Data;

#nullable disable

namespace Mediahub.Data.Migrations
{
    /// <inheritdoc />
    [DbContext(typeof(MediahubDbContext))]
    [Migration("20250120000000_ActivityLogSeverityText")]
    public partial class ActivityLogSeverityText : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Severity",
                table: "ActivityLogs");

            migrationBuilder.AddColumn<string>(
                name: "Severity",
                table: "ActivityLogs",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
