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
    [Migration("20250115000000_UserDataItemFkNotValid")]
    public partial class UserDataItemFkNotValid : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(@"ALTER TABLE ""UserData"" ADD CONSTRAINT ""FK_UserData_Users_UserId"" FOREIGN KEY (""UserId"") REFERENCES ""Users"" (""Id"") NOT VALID;
            COMMIT;
            BEGIN;
            ALTER TABLE ""UserData"" VALIDATE CONSTRAINT ""FK_UserData_Users_UserId"";");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
